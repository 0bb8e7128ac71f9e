"""Static files with long cache lifetimes: their URLs carry a content hash (see templating.static_url)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope


class CachedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            if b"v=" in scope.get("query_string", b""):
                response.headers["cache-control"] = "public, max-age=31536000, immutable"
            else:
                response.headers["cache-control"] = "public, max-age=3600"
        return response
