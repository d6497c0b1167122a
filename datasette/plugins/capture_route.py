"""Original documents: ``/-/capture/<sha256>`` serves the captured bytes, and reports link
to them and to the page they were published on.

The archive keeps captured documents outside the database, in a content-addressed store
(``blobs/<sha[:2]>/<sha[2:4]>/<sha256>``, paths recorded in ``captures.storage_path``
relative to the folder holding ``blobs``). A reader who doubts a number must be able to
open the document it came from, so this route hands the bytes out — and, because they are
untrusted files from the web served on the archive's own origin, it does so defensively:

* the name must be 64 lower-case hex digits, and it must be a ``captures`` row: nothing
  else on disk can be reached (no path is ever built from the request);
* the stored path must resolve inside the store root, and the bytes must hash to the name;
* the content type is the one recorded at capture, and only for document types the
  crawler keeps; anything else goes out as a download (``application/octet-stream``);
* ``nosniff`` and a sandboxing Content-Security-Policy keep a captured HTML page from
  running scripts or loading anything.

The store root is the plugin setting ``blob_root`` (metadata, usually from the
``ZFXXGK_BLOB_ROOT`` environment variable) or else the folder of the database file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote

import markupsafe
from datasette.utils.asgi import Response

from datasette import hookimpl

PLUGIN = "zfxxgk-capture"
SHA256 = re.compile(r"[0-9a-f]{64}")

# Media types a capture may be served as (what the crawler keeps: pages and attachments).
DOCUMENT_TYPES = frozenset({
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-works",
    "application/wps-office.wps",
    "application/wps-office.et",
    "application/kswps",
    "application/rtf",
    "image/jpeg",
    "image/png",
    "image/gif",
})
INLINE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain",
                          "application/pdf", "image/jpeg", "image/png", "image/gif"})

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:; "
                               "style-src 'unsafe-inline'; media-src 'none'",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def is_sha256(name: str) -> bool:
    """Only 64 lower-case hex digits name a capture."""
    return bool(SHA256.fullmatch(name or ""))


def media_type(content_type: str | None) -> str:
    """``text/html; charset=gbk`` → ``text/html``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def served_content_type(content_type: str | None) -> tuple[str, bool]:
    """The Content-Type to send for a recorded one, and whether to show it inline."""
    kind = media_type(content_type)
    if kind not in DOCUMENT_TYPES:
        return "application/octet-stream", False
    charset = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", content_type or "", re.I)
    value = kind + (f"; charset={charset.group(1)}" if charset else "")
    return value, kind in INLINE_TYPES


def blob_root(datasette, database) -> Path:
    """Folder that holds ``blobs/``: the plugin setting, else the database's folder."""
    config = datasette.plugin_config(PLUGIN) or {}
    configured = config.get("blob_root")
    if configured:
        return Path(configured)
    if database.path:
        return Path(database.path).resolve().parent
    raise LookupError("no blob store for an in-memory database")


def resolve_blob(root: Path, storage_path: str | None, sha: str) -> Path | None:
    """The file of a capture, only if it lies inside ``root`` and is named by its hash."""
    if not storage_path:
        return None
    root = root.resolve()
    candidate = (root / storage_path).resolve()
    if not candidate.is_relative_to(root) or candidate.name != sha:
        return None
    return candidate if candidate.is_file() else None


def _archive_database(datasette):
    """The first database with a ``captures`` table (the archive)."""
    for database in datasette.databases.values():
        if database.path and not database.is_memory:
            return database
    return None


def _not_found(message: str, status: int = 404) -> Response:
    body = f"{message}\n"
    return Response.text(body, status=status, headers={"X-Content-Type-Options": "nosniff"})


async def capture(request, datasette):
    """``/-/capture/<sha256>``: the original bytes of one capture."""
    sha = request.url_vars["sha"]
    if not is_sha256(sha):
        return _not_found("无效的文件标识（应为 64 位十六进制 SHA-256）/ "
                          "invalid name: expected a 64-digit hex SHA-256", 400)
    database = _archive_database(datasette)
    if database is None or "captures" not in await database.table_names():
        return _not_found("没有原始文件库 / no capture store")
    rows = (await database.execute(
        "select storage_path, content_type, url from captures "
        "where sha256 = ? and storage_path is not null order by id desc limit 1",
        [sha],
    )).rows
    if not rows:
        return _not_found("未收录此原始文件 / no capture with this hash")
    storage_path, content_type, url = rows[0]
    try:
        path = resolve_blob(blob_root(datasette, database), storage_path, sha)
    except LookupError:
        path = None
    if path is None:
        return _not_found("原始文件不在存储中 / the captured bytes are not in the store")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha:
        return _not_found("原始文件校验失败 / stored bytes do not match their hash", 500)
    served, inline = served_content_type(content_type)
    filename = Path(url or "").name or sha
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "public, max-age=31536000, immutable"
    headers["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename, safe='')}"
    )
    return Response(data, status=200, headers=headers, content_type=served)


@hookimpl
def register_routes():
    return [(r"^/-/capture/(?P<sha>[^/]*)$", capture)]


# The archive is served immutable, so what is captured never changes while serving:
# remember the answers (bounded) instead of asking SQLite once per table cell.
_CACHE_LIMIT = 100_000
_captured: dict[tuple[str, str], bool] = {}


async def _lookup_capture(db, sha: str | None) -> bool:
    """Is there a stored capture of ``sha`` (None: of anything at all)?"""
    if "captures" not in await db.table_names():
        return False
    sql = "select 1 from captures where storage_path is not null"
    params: list[str] = []
    if sha is not None:
        sql += " and sha256 = ?"
        params.append(sha)
    return bool((await db.execute(sql + " limit 1", params)).rows)


async def _has_capture(datasette, database: str, sha: str) -> bool:
    db = datasette.get_database(database)
    if db.is_mutable:
        return await _lookup_capture(db, sha)
    if (database, "") not in _captured:
        _captured[(database, "")] = await _lookup_capture(db, None)
    if not _captured[(database, "")]:
        return False
    key = (database, sha)
    if key not in _captured:
        if len(_captured) >= _CACHE_LIMIT:
            _captured.clear()
            _captured[(database, "")] = True
        _captured[key] = await _lookup_capture(db, sha)
    return _captured[key]


def capture_link(datasette, sha: str) -> markupsafe.Markup:
    return markupsafe.Markup(
        '<a href="{}" title="原始文件 / original document">{}…</a>'
    ).format(datasette.urls.path(f"/-/capture/{sha}"), sha[:12])


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Link a document hash to its original bytes (reports: only when captured)."""
    if column != "sha256" or table not in ("captures", "reports") or not is_sha256(
        str(value or "")
    ):
        return None

    async def inner():
        if table == "captures" or await _has_capture(datasette, database, value):
            return capture_link(datasette, value)
        return None

    return inner()


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    """On a report's page: links to its original capture and its source page."""
    if view_name != "row" or table != "reports" or request is None:
        return {}

    async def inner():
        pk = request.url_vars.get("pks", "")
        if not pk.isdigit():
            return {}
        db = datasette.get_database(database)
        report = (await db.execute(
            "select id, sha256, capture_id, source_url from reports where id = ?", [int(pk)]
        )).first()
        if report is None:
            return {}
        links = {"source_url": report["source_url"], "capture": None, "parent_url": None,
                 "fetched_at": None, "content_type": None}
        if "captures" in await db.table_names():
            capture_row = (await db.execute(
                "select sha256, url, parent_url, fetched_at, content_type from captures "
                "where (id = ? or sha256 = ?) and storage_path is not null "
                "order by (id = ?) desc, id desc limit 1",
                [report["capture_id"], report["sha256"], report["capture_id"]],
            )).first()
            if capture_row is not None:
                links.update(
                    capture=datasette.urls.path(f"/-/capture/{capture_row['sha256']}"),
                    parent_url=capture_row["parent_url"],
                    fetched_at=capture_row["fetched_at"],
                    content_type=capture_row["content_type"],
                )
                links["source_url"] = links["source_url"] or capture_row["url"]
        return {"report_links": links}

    return inner
