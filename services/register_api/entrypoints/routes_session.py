"""Route: logout. The token is revoked (its id kept in the API's own schema until it would have expired),
so a token copied from a browser or a log before logout is refused afterwards."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from services.register_api.adapters import revoked_tokens
from services.register_api.domain.access import Principal
from services.register_api.entrypoints.auth import current_principal
from services.register_api.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES, tags=["session"])


@router.post("/logout", status_code=204, summary="Log out: the bearer token is refused from now on")
async def logout(request: Request, principal: Principal = Depends(current_principal)) -> Response:
    token = request.state.token
    async with request.app.state.api.own.acquire() as conn:
        await revoked_tokens.revoke(conn, token.token_id, token.expires_at)
    return Response(status_code=204)
