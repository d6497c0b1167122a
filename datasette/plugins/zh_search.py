"""Chinese full-text search for Datasette: ``?_search=`` and the search box use the
character/bigram/trigram index of ``reports_fts``.

Datasette wraps every ``_search`` value in the SQL function ``escape_fts`` before MATCH.
This plugin re-registers that function with ``zfxxgk.fts.to_match``, the same transform
the build used to index the text, so a query finds exactly the reports containing it.
``trylast=True`` makes this registration run after Datasette's own, so it wins. An
archive indexed before the ``trigrams`` column is searched the way it was indexed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from datasette import hookimpl

try:
    from zfxxgk.fts import to_match
except ImportError:  # run from a checkout without the project installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from zfxxgk.fts import to_match


def _has_trigrams(conn) -> bool:
    try:
        columns = {r[1] for r in conn.execute("SELECT * FROM pragma_table_info('reports_fts')")}
    except Exception:  # noqa: BLE001 - a database this plugin has nothing to do with
        return True
    return not columns or "trigrams" in columns


def _bigram_match(query):
    return to_match(query, trigrams=False)


@hookimpl(trylast=True)
def prepare_connection(conn):
    match = to_match if _has_trigrams(conn) else _bigram_match
    conn.create_function("escape_fts", 1, match, deterministic=True)
