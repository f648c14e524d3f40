"""Bearer tokens: signed, unexpired, for this API, naming known roles — and a customer's naming their person."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
import pytest

from services.register_api.entrypoints.auth import Unauthenticated, decode_token, issue_token
from shared.settings import ApiSettings

SETTINGS = ApiSettings()


def test_a_valid_token_names_the_user_and_their_roles():
    principal = decode_token(issue_token(SETTINGS, "anna", ["customer_service", "no_such_role"]), SETTINGS)
    assert (principal.user, principal.roles, principal.person_id) == ("anna", frozenset({"customer_service"}), None)


@pytest.mark.parametrize("token, code", [
    (issue_token(SETTINGS, "anna", ["auditor"], now=datetime.now(timezone.utc) - timedelta(days=1),
                 ttl=timedelta(hours=1)), "token_expired"),
    (jwt.encode({"sub": "anna", "roles": ["auditor"], "aud": "coopreg-register-api",
                 "iat": datetime.now(timezone.utc), "exp": datetime.now(timezone.utc) + timedelta(hours=1)},
                "another-key-of-sufficient-length-0123456789", algorithm="HS256"), "invalid_token"),
    (jwt.encode({"sub": "anna", "roles": ["auditor"], "aud": "elsewhere", "iat": datetime.now(timezone.utc),
                 "exp": datetime.now(timezone.utc) + timedelta(hours=1)},
                SETTINGS.token_key.get_secret_value(), algorithm="HS256"), "invalid_token"),
    (jwt.encode({"sub": "anna", "roles": ["auditor"], "aud": "coopreg-register-api"},
                SETTINGS.token_key.get_secret_value(), algorithm="HS256"), "invalid_token"),
    (issue_token(SETTINGS, "anna", ["superuser"]), "invalid_token"),
    (issue_token(SETTINGS, "maija", ["data_subject"]), "invalid_token"),
    ("not.a.token", "invalid_token"),
])
def test_a_bad_token_is_refused_with_its_reason(token, code):
    with pytest.raises(Unauthenticated) as refused:
        decode_token(token, SETTINGS)
    assert refused.value.code == code


def test_an_unsigned_token_is_refused():
    token = jwt.encode({"sub": "anna", "roles": ["data_protection_officer"], "aud": "coopreg-register-api",
                        "iat": 0, "exp": 4102444800}, None, algorithm="none")
    with pytest.raises(Unauthenticated):
        decode_token(token, SETTINGS)
