"""Chinese full-text search for Datasette: ``?_search=`` and the search box use the
character/bigram index of ``reports_fts``.

Datasette wraps every ``_search`` value in the SQL function ``escape_fts`` before MATCH.
This plugin re-registers that function with ``zfxxgk.fts.to_match``, the same transform
the build used to index the text, so a query finds exactly the reports containing it.
``trylast=True`` makes this registration run after Datasette's own, so it wins.
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


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, to_match, deterministic=True)
