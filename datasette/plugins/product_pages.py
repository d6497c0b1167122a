"""The home page's table of bulk downloads, and the archive's style sheet.

Researchers want the whole data set, not pages of it: every table as CSV (streamed by
Datasette, all rows) and JSON (Datasette's paged JSON, ``next_url`` leads on), and the
database file itself (Datasette serves it for an immutable database). The home page lists
them from the database itself, so a table added to the schema shows up without editing a
template; tables come in the order the metadata describes them.
"""

from __future__ import annotations

from datasette import hookimpl

CSS_PATH = "/static/archive.css"


def _first_sentence(description: str | None) -> str:
    """The Chinese half of a bilingual description ("中文。 English.")."""
    if not description:
        return ""
    head, sep, _ = description.partition("。")
    return head + sep


async def download_listing(datasette) -> list[dict]:
    """Per database: its file download and every visible table with its links."""
    listing = []
    allow_download = datasette.setting("allow_download")
    for name, database in datasette.databases.items():
        if database.is_memory or name.startswith("_"):
            continue
        hidden = set(await database.hidden_table_names())
        tables = [t for t in await database.table_names() if t not in hidden]
        described = list((datasette.metadata("tables", database=name) or {}).keys())
        tables.sort(key=lambda t: (described.index(t) if t in described else len(described), t))
        counts = await database.table_counts(limit=60_000)
        base = datasette.urls.database(name)
        entries = []
        for table in tables:
            meta = datasette.table_metadata(name, table)
            table_url = datasette.urls.table(name, table)
            entries.append({
                "name": table,
                "url": table_url,
                "description": _first_sentence(meta.get("description")),
                "count": counts.get(table),
                "csv": f"{table_url}.csv?_stream=on&_size=max",
                "json": f"{table_url}.json?_shape=objects&_size=max",
            })
        listing.append({
            "name": name,
            "url": base,
            "size": database.size,
            "download": f"{base}.db" if allow_download and not database.is_mutable else None,
            "tables": entries,
        })
    return listing


async def canned_query_listing(datasette, actor) -> list[dict]:
    """Every canned query of every database, with its link, in metadata order."""
    listing = []
    for name, database in datasette.databases.items():
        if database.is_memory or name.startswith("_"):
            continue
        queries = await datasette.get_canned_queries(name, actor)
        for slug, query in queries.items():
            listing.append({
                "title": query.get("title") or slug,
                "description": query.get("description") or "",
                "url": datasette.urls.query(name, slug),
            })
    return listing


@hookimpl
def extra_template_vars(template, datasette, request):
    if template != "index.html":
        return {}

    async def inner():
        actor = request.actor if request is not None else None
        return {
            "downloads": await download_listing(datasette),
            "canned_queries": await canned_query_listing(datasette, actor),
            "max_rows": datasette.setting("max_returned_rows"),
        }

    return inner


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(CSS_PATH)] if _static_mounted(datasette) else []


def _static_mounted(datasette) -> bool:
    return any(mount == "static" for mount, _ in (datasette.static_mounts or []))
