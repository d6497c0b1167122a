"""Summary tables for archives that lack them: temporary views of the same names.

The canned queries and dashboard charts read ``report_figures``, ``report_outcomes`` and
``outcome_totals``, which a build or ingest computes at its end. An archive made by an
older version, or written by other means, has none; on such an archive each connection
gets temporary views computing the same rows from the cell tables (``zfxxgk.summaries
.fallback_views``): slower, but every query still answers, and correctly. An archive
that has the tables is left as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

from datasette import hookimpl

try:
    from zfxxgk.summaries import fallback_views
except ImportError:  # run from a checkout without the project installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from zfxxgk.summaries import fallback_views


@hookimpl
def prepare_connection(conn):
    fallback_views(conn)
