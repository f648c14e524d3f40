"""The customer's My data page, served by the register API: one static page, its script, its style and its
texts per language (`static/texts/<lang>.json`). The page holds no personal data: the script reads and
changes the customer's data through the API's own routes with the customer's bearer token, so the field
policy and the audit log apply to it as to any other client. `coopreg api my-data` prints a login link."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import Response

STATIC = Path(__file__).resolve().parent / "static"
PAGE = "/my-data"
ASSET_PREFIX = f"{PAGE}/assets/"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".json": "application/json; charset=utf-8"}
# Only the page's own script, style and API calls; nothing inline, nothing from elsewhere, never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache",
}


def _assets() -> dict[str, tuple[bytes, str]]:
    """Every file the page may load, read once: {path under assets/: (content, media type)}."""
    return {path.relative_to(STATIC).as_posix(): (path.read_bytes(), MEDIA_TYPES[path.suffix])
            for path in sorted(STATIC.rglob("*")) if path.is_file() and path.suffix in MEDIA_TYPES}


def build_router() -> APIRouter:
    page, assets = (STATIC / "index.html").read_bytes(), _assets()
    router = APIRouter(include_in_schema=False)

    @router.get(PAGE)
    async def my_data_page() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    @router.get(ASSET_PREFIX + "{name:path}")
    async def my_data_asset(name: str) -> Response:
        if name not in assets:
            raise HTTPException(404, "no such file")
        content, media_type = assets[name]
        return Response(content, media_type=media_type, headers=SECURITY_HEADERS)

    return router


def install(app: FastAPI) -> None:
    app.include_router(build_router())
