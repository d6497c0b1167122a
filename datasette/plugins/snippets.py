"""Search results that show where the words are: snippets and highlighting.

The archive's FTS table is contentless (it stores hex tokens, not text), so SQLite's own
``snippet()``/``highlight()`` have nothing to cut from. This plugin supplies:

* the SQL function ``zh_snippet(text, query[, width[, start, end]])`` — a window of the
  report text around the first match of the query (``zfxxgk.fts.snippet``, which folds
  case exactly like the search itself); the canned search query and anyone's own SQL
  can use it, and the JSON/CSV get plain text unless markers are passed;
* HTML highlighting: a ``snippet`` column of a query run with ``?q=``, and the ``text``
  column of the reports table under ``?_search=``, are shown with the query terms in
  ``<mark>``; the reports table shows a short window instead of the whole text, and a
  report's own page shows the whole text with line breaks kept (marked under ``?q=``);
* a ``report_id`` column in query results links to the report (carrying ``?q=``).

Datasette 0.65's ``render_cell`` is not told which request it renders for, so an ASGI
wrapper puts the request's path and query string in a context variable for the duration
of the request; everything is escaped before ``<mark>`` tags are added.
"""

from __future__ import annotations

import sys
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import markupsafe

from datasette import hookimpl

try:
    from zfxxgk import fts
except ImportError:  # run from a checkout without the project installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from zfxxgk import fts

# Private-use code points: never in parsed text (stripped), so they can mark matches
# through escaping.
_START, _END = "\ue000", "\ue001"
TABLE_WIDTH = 120
SNIPPET_WIDTH = 80

_request: ContextVar[tuple[str, dict[str, list[str]]] | None] = ContextVar(
    "zfxxgk_request", default=None
)


def zh_snippet(text, query, width=SNIPPET_WIDTH, start="", end=""):
    """SQL function: the text around the first match of ``query`` (plain unless markers)."""
    if text is None:
        return None
    try:
        width = int(width)
    except (TypeError, ValueError):
        width = SNIPPET_WIDTH
    return fts.snippet(str(text), str(query or ""), width,
                       start=str(start or ""), end=str(end or ""))


def highlight_html(text: str, query: str | None) -> markupsafe.Markup:
    """``text`` escaped for HTML, every occurrence of a query term wrapped in <mark>."""
    clean = text.replace(_START, "").replace(_END, "")
    if query and query.strip():
        clean = fts.snippet(clean, query, max(len(clean), 1), start=_START, end=_END,
                            ellipsis="")
    escaped = str(markupsafe.escape(clean))
    return markupsafe.Markup(escaped.replace(_START, "<mark>").replace(_END, "</mark>"))


def _one_line(text: str) -> str:
    """A snippet on one line: runs of whitespace (line breaks, indents) become a space."""
    return " ".join(text.split())


def _current() -> tuple[str, dict[str, list[str]]]:
    return _request.get() or ("", {})


def _arg(args: dict[str, list[str]], name: str) -> str:
    values = args.get(name) or [""]
    return values[0]


def _is_row_page(path: str, database: str, table: str) -> bool:
    """``/<db>/<table>/<pk>`` (with or without a format suffix)."""
    parts = [p for p in path.split("/") if p]
    return len(parts) == 3 and parts[0] == database and parts[1] == table


def _report_link(datasette, database: str, report_id: int, query: str) -> markupsafe.Markup:
    """A report id in query results links to the report, its text marked with the query."""
    url = f"{datasette.urls.table(database, 'reports')}/{report_id}"
    if query.strip():
        url += "?" + urlencode({"q": query})
    return markupsafe.Markup('<a href="{}">{}</a>').format(url, report_id)


@hookimpl
def prepare_connection(conn):
    conn.create_function("zh_snippet", -1, zh_snippet, deterministic=True)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            query = parse_qs((scope.get("query_string") or b"").decode("utf-8", "replace"))
            token = _request.set((scope.get("path") or "", query))
            try:
                await app(scope, receive, send)
            finally:
                _request.reset(token)

        return wrapped

    return wrap


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Highlighted snippets in search results; a short window of report text in tables."""
    path, args = _current()
    if table is None and column == "report_id" and isinstance(value, int):
        return _report_link(datasette, database, value, _arg(args, "q"))
    if not isinstance(value, str):
        return None
    if table is None and column == "snippet":
        return highlight_html(_one_line(value), _arg(args, "q") or _arg(args, "_search"))
    if table == "reports" and column == "text":
        search = _arg(args, "_search") or _arg(args, "q")
        if _is_row_page(path, database, table):
            return markupsafe.Markup('<div class="report-text">{}</div>').format(
                highlight_html(value, search))
        window = _one_line(fts.snippet(value, search, TABLE_WIDTH))
        return markupsafe.Markup('<span class="report-snippet">{}</span>').format(
            highlight_html(window, search))
    return None
