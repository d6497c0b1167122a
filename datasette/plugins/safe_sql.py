"""SQL functions no one may call through Datasette, and a bound on value sizes.

Datasette refuses write statements, but a ``SELECT`` may still call any function the SQLite
build offers. Python's SQLite here is built with ``ENABLE_FTS3_TOKENIZER``: one argument to
``fts3_tokenizer()`` returns a C pointer, two arguments replace a tokenizer's function
pointer on that connection — a memory-corruption primitive reachable from read-only SQL.
``rtreenode()``/``rtreedepth()`` are debugging functions that decode any blob as an R-tree
node (the source of past out-of-bounds reads). ``load_extension()`` is off already (Python
opens connections with extension loading disabled) and ``readfile()``/``writefile()``/
``edit()`` exist only in the sqlite3 shell; they are refused too, so that a later build or
setting cannot quietly make them callable.

On every connection Datasette opens (``prepare_connection``, each database and thread):

* an authorizer refuses a statement naming one of these functions when it is prepared,
  before anything runs (SQLite's error: "not authorized");
* the functions are replaced by one that always fails, a second lock should the
  authorizer be replaced;
* the largest string or blob a statement may make is bounded (``randomblob(999999999)``
  would otherwise allocate a gigabyte per request; the archive's largest values are
  report texts, far below the bound), and, unless Datasette itself attaches databases
  (``--crossdb``), ATTACH is refused at the SQLite level as well.
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

REFUSED = frozenset({"fts3_tokenizer", "load_extension", "rtreenode", "rtreedepth",
                     "readfile", "writefile", "edit"})
MAX_LENGTH = 64 * 1024 * 1024  # bytes in one string or blob


class RefusedFunction(Exception):
    """Raised by the stand-ins of the refused functions."""


def _refuse(*args: object) -> None:
    raise RefusedFunction("此函数在本站不可用 / this SQL function is disabled")


def _authorizer(action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None) -> int:
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in REFUSED:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn, datasette):
    for name in REFUSED:
        # SQLite prefers a function registered for the exact argument count over one for
        # any count (-1), so each count the built-ins take is replaced, not just -1.
        for arity in (-1, 0, 1, 2, 3):
            conn.create_function(name, arity, _refuse)
    conn.set_authorizer(_authorizer)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    if not getattr(datasette, "crossdb", False):
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
