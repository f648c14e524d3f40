"""Bearer tokens: signed, unexpired, for this API, naming known roles — and a customer's naming their person;
the register's own (HS256) and an identity provider's (EdDSA, its key and algorithm pinned by `iss` and `kid`)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError

from services.register_api.entrypoints.auth import Unauthenticated, decode_token, issue_token, verify_token
from shared.settings import ApiSettings, TrustedTokenKey

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


# -- an identity provider's EdDSA (Ed25519) tokens ------------------------------------------------------

IDP = "https://login.s-ryhma.example"


def _pem(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


IDP_KEY, OTHER_KEY = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
WITH_IDP = ApiSettings(token_issuers=[TrustedTokenKey(issuer=IDP, key_id="2030-1", public_key=_pem(IDP_KEY))])


def _idp_token(key=IDP_KEY, kid="2030-1", iss=IDP, algorithm="EdDSA", ttl=timedelta(hours=1), **claims) -> str:
    now = datetime.now(timezone.utc)
    body = {"sub": "maija", "roles": ["data_subject"], "person_id": "p-1", "aud": "coopreg-register-api",
            "iss": iss, "iat": now, "exp": now + ttl, **claims}
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})


def _hmac_token(secret: bytes, **claims) -> str:
    """A token signed with HS256 by hand (PyJWT refuses to use a PEM key as an HMAC secret)."""
    def part(data: dict) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")
    now = int(datetime.now(timezone.utc).timestamp())
    signing = part({"alg": "HS256", "typ": "JWT", "kid": "2030-1"}) + b"." + part(
        {"sub": "maija", "roles": ["data_protection_officer"], "aud": "coopreg-register-api", "iss": IDP,
         "iat": now, "exp": now + 3600, **claims})
    signature = base64.urlsafe_b64encode(hmac.new(secret, signing, hashlib.sha256).digest()).rstrip(b"=")
    return (signing + b"." + signature).decode()


def test_a_valid_eddsa_token_of_a_trusted_issuer_names_the_customer():
    principal = decode_token(_idp_token(), WITH_IDP)
    assert (principal.user, principal.roles, principal.person_id) == ("maija", frozenset({"data_subject"}), "p-1")


@pytest.mark.parametrize("token, code", [
    (_idp_token(ttl=timedelta(seconds=-10)), "token_expired"),
    (_idp_token(key=OTHER_KEY), "invalid_token"),  # signed with a key the issuer does not have
    (_idp_token(kid="2031-9"), "invalid_token"),  # a key id the register does not trust
    (_idp_token(iss="https://elsewhere.example"), "invalid_token"),  # an issuer the register does not trust
    (_idp_token(aud="elsewhere"), "invalid_token"),
    # the wrong algorithm: HS256 "signed" with the issuer's public key as the secret (algorithm confusion)
    (_hmac_token(_pem(IDP_KEY).encode()), "invalid_token"),
    # the register's own HS256 key cannot stand in for the issuer's key either
    (_hmac_token(SETTINGS.token_key.get_secret_value().encode()), "invalid_token"),
])
def test_a_bad_eddsa_token_is_refused_with_its_reason(token, code):
    with pytest.raises(Unauthenticated) as refused:
        decode_token(token, WITH_IDP)
    assert refused.value.code == code


def test_an_eddsa_token_is_not_accepted_without_the_issuer_and_a_local_token_not_where_they_are_off():
    with pytest.raises(Unauthenticated):
        decode_token(_idp_token(), SETTINGS)
    idp_only = WITH_IDP.model_copy(update={"local_tokens": False})
    with pytest.raises(Unauthenticated):
        decode_token(issue_token(idp_only, "anna", ["auditor"]), idp_only)
    assert decode_token(issue_token(WITH_IDP, "anna", ["auditor"]), WITH_IDP).user == "anna"


def test_the_issuers_keys_are_data_checked_when_the_settings_are_read(monkeypatch):
    entry = {"issuer": IDP, "key_id": "2030-1", "algorithm": "EdDSA", "public_key": _pem(IDP_KEY)}
    monkeypatch.setenv("COOPREG_API_TOKEN_ISSUERS", json.dumps([entry]))
    assert ApiSettings().trusted_key(IDP, "2030-1").public_key == _pem(IDP_KEY)
    for bad in ({**entry, "algorithm": "HS256"}, {**entry, "public_key": "not a key"}):
        monkeypatch.setenv("COOPREG_API_TOKEN_ISSUERS", json.dumps([bad]))
        with pytest.raises(ValidationError):
            ApiSettings()
    monkeypatch.setenv("COOPREG_API_TOKEN_ISSUERS", json.dumps([entry, entry]))
    with pytest.raises(ValidationError):
        ApiSettings()


# -- lifetimes, names and role combinations (issue 26) ----------------------------------------------------

def _local(lifetime: timedelta = timedelta(minutes=5), **claims) -> str:
    """A token issued now (not when the tests were collected: a long session would see it expired)."""
    now = datetime.now(timezone.utc)
    body = {"sub": "anna", "roles": ["customer_service"], "aud": "coopreg-register-api", "iat": now,
            "exp": now + lifetime, **claims}
    return jwt.encode(body, SETTINGS.token_key.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize("claims", [
    {"lifetime": timedelta(days=365 * 50)},
    {"roles": ["data_subject"], "person_id": "p-1", "lifetime": timedelta(minutes=61)},
    {"roles": ["data_subject", "auditor"], "person_id": "p-1"},
    {"roles": ["data_subject", "customer_service"], "person_id": "p-1"},
    {"roles": ["data_subject"], "person_id": "p 1; drop"},
    {"sub": "anna\u2066admin"},
    {"sub": "x" * 129},
    {"sub": "anna\r\n"},
    {"jti": "j\x00"},
])
def test_a_token_too_long_lived_of_mixed_roles_or_odd_names_is_refused(claims):
    with pytest.raises(Unauthenticated) as refused:
        decode_token(_local(**claims), SETTINGS)
    assert refused.value.code == "invalid_token"


def test_the_lifetimes_are_settings_and_issued_tokens_keep_within_them():
    assert decode_token(issue_token(SETTINGS, "anna", ["customer_service"]), SETTINGS).user == "anna"
    assert decode_token(issue_token(SETTINGS, "c", ["data_subject"], "p-1"), SETTINGS).person_id == "p-1"
    shorter = SETTINGS.model_copy(update={"staff_token_max_hours": 1.0})
    with pytest.raises(Unauthenticated):
        decode_token(issue_token(SETTINGS, "anna", ["customer_service"]), shorter)
    verified = verify_token(issue_token(SETTINGS, "anna", ["auditor"]), SETTINGS)
    other = verify_token(issue_token(SETTINGS, "anna", ["auditor"]), SETTINGS)
    assert verified.token_id != other.token_id  # each token its own id, revoked alone at logout
