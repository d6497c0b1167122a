"""Serve the archive read-only with Datasette.

One function builds the whole command line so that the CLI, the tests and anything else
that starts Datasette run it the same way: the database opened immutable (``-i``: no
writes, and Datasette may cache counts), the project's metadata, plugins (Chinese search)
and, when present, templates and static files, and limits on query time and rows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASETTE_DIR = REPO_ROOT / "datasette"
METADATA = DATASETTE_DIR / "metadata.yml"
PLUGINS_DIR = DATASETTE_DIR / "plugins"
TEMPLATES_DIR = DATASETTE_DIR / "templates"
STATIC_DIR = DATASETTE_DIR / "static"

# The metadata configures search for the database named after this file stem.
DATABASE_NAME = "archive"

SETTINGS = {
    "sql_time_limit_ms": "1000",
    "max_returned_rows": "1000",
    "facet_time_limit_ms": "400",
    "suggest_facets": "off",
}


def datasette_args(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The full command line that serves ``db_path`` read-only on ``host:port``."""
    args = [
        sys.executable, "-m", "datasette", "serve",
        "-i", str(Path(db_path).resolve()),
        "--host", host, "--port", str(port),
        "--metadata", str(METADATA),
        "--plugins-dir", str(PLUGINS_DIR),
    ]
    if TEMPLATES_DIR.is_dir():
        args += ["--template-dir", str(TEMPLATES_DIR)]
    if STATIC_DIR.is_dir():
        args += ["--static", f"static:{STATIC_DIR}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette in the foreground until it stops; return its exit code."""
    db_path = Path(db_path)
    if not db_path.is_file():
        print(f"zfxxgk: 找不到数据库 / no such database: {db_path}", file=sys.stderr)
        return 2
    if db_path.stem != DATABASE_NAME:
        print(
            f"zfxxgk: 数据库文件名应为 {DATABASE_NAME}.db，否则中文检索配置不生效 / "
            f"name the file {DATABASE_NAME}.db, or the search settings in the metadata "
            f"do not apply (got {db_path.name})",
            file=sys.stderr,
        )
    try:
        return subprocess.call(datasette_args(db_path, host=host, port=port))
    except KeyboardInterrupt:
        return 130
