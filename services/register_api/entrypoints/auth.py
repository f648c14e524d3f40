"""Authentication: signed bearer tokens (JWT) naming the user, their roles and, for a customer in
self-service, their person id.

Two kinds of token, told apart by `iss`:
- from an identity provider (`iss` set): verified with the provider's Ed25519 public key named by the
  token's `kid` (`COOPREG_API_TOKEN_ISSUERS`, data), with that key's one pinned algorithm (EdDSA) and `iss`
  checked; an unknown issuer or key id is refused, never tried against another key;
- the register's own (no `iss`): HS256 with `COOPREG_API_TOKEN_KEY`, which `issue_token` signs for
  operators' tools and tests; `COOPREG_API_LOCAL_TOKENS=false` refuses them.
The algorithm always comes from the key, never from the token's header (no algorithm confusion).

A token is also refused when it lives longer than allowed (`exp` - `iat`: staff hours, a customer's My data
login an hour), when it was revoked at logout (its `jti`, or a digest of the whole token where it has none,
kept in `revoked_tokens` until it would have expired), when its `sub` or `person_id` is not a plain name
(the audit log records them), and when it holds a customer's role together with a staff role."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.register_api.adapters import revoked_tokens
from services.register_api.domain.access import (
    DATA_SUBJECT,
    ROLE_SCOPES,
    Principal,
    conflicting_roles,
    purpose_for,
    valid_actor,
    valid_person_id,
)
from services.register_api.entrypoints.edge import RateLimited
from shared.settings import ApiSettings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud"]
bearer = HTTPBearer(auto_error=False, description="a JWT signed by a trusted identity provider (EdDSA) or with the "
                                                  "register API's own key (HS256)")


class Unauthenticated(Exception):
    """No token, or one that is not valid now; `code` says which."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed every check: who it names, and what identifies it for revocation."""

    principal: Principal
    token_id: str
    expires_at: datetime


def max_lifetime(settings: ApiSettings, roles) -> timedelta:
    if DATA_SUBJECT in roles:
        return timedelta(minutes=settings.subject_token_max_minutes)
    return timedelta(hours=settings.staff_token_max_hours)


def issue_token(settings: ApiSettings, user: str, roles: list[str], person_id: str | None = None,
                ttl: timedelta | None = None, now: datetime | None = None) -> str:
    """A token of the register's own; `ttl` by default the longest the roles' tokens may live."""
    now = now or datetime.now(timezone.utc)
    ttl = ttl if ttl is not None else max_lifetime(settings, roles)
    claims = {"sub": user, "roles": roles, "aud": settings.token_audience, "iat": now, "exp": now + ttl,
              "jti": uuid.uuid4().hex}
    if person_id is not None:
        claims["person_id"] = person_id
    return jwt.encode(claims, settings.token_key.get_secret_value(), algorithm=ALGORITHM)


def _verification(token: str, settings: ApiSettings) -> tuple[str, str, str | None]:
    """(key, the one algorithm it verifies, the issuer to check) for the token, chosen by its `iss` and `kid`
    before anything of it is trusted."""
    try:
        header = jwt.get_unverified_header(token)
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        raise Unauthenticated("invalid_token", "the token is not valid") from None
    if issuer is None:
        if not settings.local_tokens:
            raise Unauthenticated("invalid_token", "the token names no trusted issuer")
        return settings.token_key.get_secret_value(), ALGORITHM, None
    trusted = settings.trusted_key(str(issuer), header.get("kid")) if isinstance(issuer, str) else None
    if trusted is None:
        raise Unauthenticated("invalid_token", "the token's issuer or key is not trusted")
    return trusted.public_key, trusted.algorithm, trusted.issuer


def decode_token(token: str, settings: ApiSettings) -> Principal:
    return verify_token(token, settings).principal


def verify_token(token: str, settings: ApiSettings) -> VerifiedToken:
    key, algorithm, issuer = _verification(token, settings)
    try:
        claims = jwt.decode(token, key, algorithms=[algorithm], audience=settings.token_audience, issuer=issuer,
                            options={"require": REQUIRED_CLAIMS + (["iss"] if issuer else [])})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("token_expired", "the token has expired") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("invalid_token", "the token is not valid") from None
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles) or not set(roles) & set(ROLE_SCOPES):
        raise Unauthenticated("invalid_token", "the token names no known role")
    if conflicting_roles(roles):
        raise Unauthenticated("invalid_token", "a customer's role cannot be held together with a staff role")
    person_id = claims.get("person_id")
    if DATA_SUBJECT in roles and not valid_person_id(person_id):
        raise Unauthenticated("invalid_token", "a customer's token must name their person")
    if person_id is not None and not valid_person_id(person_id):
        raise Unauthenticated("invalid_token", "the token's person_id is not a person id")
    if not valid_actor(claims["sub"]):
        raise Unauthenticated("invalid_token", "the token's subject is not a plain name")
    numeric = all(isinstance(claims[c], (int, float)) for c in ("exp", "iat"))
    lifetime = claims["exp"] - claims["iat"] if numeric else None
    if lifetime is None or lifetime > max_lifetime(settings, roles).total_seconds():
        raise Unauthenticated("invalid_token", "the token lives longer than allowed")
    jti = claims.get("jti")
    if jti is not None and not valid_actor(jti):
        raise Unauthenticated("invalid_token", "the token's jti is not a plain identifier")
    token_id = jti if jti is not None else "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    principal = Principal(claims["sub"], frozenset(r for r in roles if r in ROLE_SCOPES), person_id)
    return VerifiedToken(principal, token_id, datetime.fromtimestamp(claims["exp"], timezone.utc))


async def current_principal(request: Request,
                            credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("missing_token", "a bearer token is required")
    verified = verify_token(credentials.credentials, request.app.state.api.settings.api)
    wait = request.app.state.principal_limiter.take(verified.principal.user)
    if wait:
        raise RateLimited(wait)
    async with request.app.state.api.own.acquire() as conn:
        if await revoked_tokens.is_revoked(conn, verified.token_id):
            raise Unauthenticated("token_revoked", "the token was revoked at logout")
    request.state.token = verified
    request.state.principal = verified.principal
    return verified.principal


async def current_purpose(request: Request, principal: Principal = Depends(current_principal),
                          x_purpose: str | None = Header(None, max_length=64,
                                                         description="why the data are processed; "
                                                                     "default: the role's main purpose")) -> str:
    purpose = purpose_for(principal, x_purpose)
    request.state.purpose = purpose
    return purpose
