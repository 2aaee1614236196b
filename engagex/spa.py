"""Serves the built SPA (frontend/dist) at ``/`` with a history fallback."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

from engagex.errors import error_response

bp = Blueprint("spa", __name__)

# Paths owned by the server: an unknown URL under them is a JSON 404, not the SPA.
SERVER_PREFIXES = frozenset({"api", "t", "u", "v", "webhooks", "healthz", "readyz", "metrics"})


def _dist() -> Path:
    return Path(current_app.config["ENGAGEX_FRONTEND_DIST"])


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
def index(path: str) -> Response:
    if path.split("/", 1)[0] in SERVER_PREFIXES:
        abort(404)
    dist = _dist()
    if not (dist / "index.html").is_file():
        return error_response(
            404,
            "frontend_not_built",
            "The web app is not built; run `make run` (or `npm run build` in frontend/).",
        )
    if path and (dist / path).is_file():
        response = send_from_directory(dist, path)
        if path.startswith("assets/"):
            # Vite puts a content hash in these names: they never change.
            response.cache_control.max_age = 31536000
            response.cache_control.public = True
            response.cache_control.immutable = True
        return response
    response = send_from_directory(dist, "index.html")
    response.cache_control.no_cache = True
    return response
