"""/download/kb-<version>.db: the served database under a name that says which build it is."""

from __future__ import annotations

from urllib.parse import unquote

from datasette.utils.asgi import AsgiFileDownload

from .common import _db, _error, _one


async def versioned_db(datasette, request):
    db = _db(datasette)
    row = await _one(db, "SELECT value FROM build_info WHERE key = 'version'")
    version = row["value"] if row else None
    want = f"{db.name}-{version}.db" if version else None
    if not version or unquote(request.url_vars["file"]) != want or not datasette.setting("allow_download") or not db.path:
        return await _error(datasette, request, 404, "Not found",
                            f"This site serves build {version or '(unversioned)'}: download "
                            + (f"/download/{want}" if want else f"/{db.name}.db") + ".")
    return AsgiFileDownload(db.path, filename=want, content_type="application/octet-stream")
