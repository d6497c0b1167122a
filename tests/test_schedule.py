"""``zfxxgk schedule``: the printed cron line is run exactly as cron would run it (``/bin/sh
-c`` with cron's bare environment) against a fresh database and the sample portal on
loopback; a second update started while it runs is refused by the lock; failed updates exit
non-zero and leave a ``crawl_runs`` row saying why."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from tests.conftest import free_port
from zfxxgk.portal import SOURCE_SITES, running_portal
from zfxxgk.schedule import (
    LOCKED_EXIT,
    MARK,
    UNIT,
    UpdateJob,
    UpdateLocked,
    lock_path,
    parse_every,
    systemd_units,
    update_lock,
)

REPO = Path(__file__).resolve().parent.parent
ZFXXGK = Path(sys.prefix) / "bin" / "zfxxgk"


def zfxxgk(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(ZFXXGK), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          check=False)


def cron_env(home: Path) -> dict[str, str]:
    """What cron gives a job: almost nothing."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LOGNAME": "zfxxgk"}


def cron_command(printed: str) -> str:
    (line,) = [x for x in printed.splitlines() if x.endswith(MARK)]
    return line.split(None, 5)[5]


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory):
    """Run the printed cron command; while its crawl is held mid-way, start a second update."""
    root = tmp_path_factory.mktemp("schedule")
    db = root / "var" / "archive.db"
    with running_portal() as portal:
        registry = portal.write_registry(root / "sources.yaml")
        printed = zfxxgk("schedule", "--every", "daily", "--db", str(db), "--registry", str(registry))
        assert printed.returncode == 0, printed.stderr
        command = cron_command(printed.stdout)
        portal.hold(lambda key, req: key == "trs" and req.path.endswith(".pdf"))
        first = subprocess.Popen(["/bin/sh", "-c", command], cwd="/", env=cron_env(root),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            while not portal.wait_until_held(0.2):
                assert first.poll() is None, first.communicate()
            second = zfxxgk("update", "--db", str(db), "--registry", str(registry), timeout=60)
            lock_holder = lock_path(db).read_text().strip()
        finally:
            portal.release()
        out, err = first.communicate(timeout=300)
        yield SimpleNamespace(root=root, db=db, registry=registry, printed=printed.stdout, command=command,
                              first=first, first_out=out + err, second=second, lock_holder=lock_holder)


def test_printed_entries_name_absolute_paths_and_the_same_command():
    printed = zfxxgk("schedule", "--every", "weekly", "--db", "rel/archive.db")
    assert printed.returncode == 0, printed.stderr
    text = printed.stdout
    db = str(Path.cwd() / "rel" / "archive.db")
    line = [x for x in text.splitlines() if x.endswith(MARK)][0]
    assert line.startswith("0 3 * * 1 ")
    tokens = shlex.split(line.split(None, 5)[5])
    assert tokens[:7] == ["cd", str(REPO), "&&", "mkdir", "-p", str(Path(db).parent), "&&"]
    argv = tokens[7:tokens.index(">>")]
    assert argv == [str(ZFXXGK), "update", "--db", db]
    assert tokens[tokens.index(">>") + 1:tokens.index(">>") + 3] == [str(Path(db).with_name("update.log")), "2>&1"]
    assert "OnCalendar=Mon *-*-* 03:00:00" in text and "Persistent=true" in text
    assert "Type=oneshot" in text and f"WorkingDirectory={REPO}" in text
    (exec_start,) = [x for x in text.splitlines() if x.startswith("ExecStart=")]
    assert shlex.split(exec_start.removeprefix("ExecStart=")) == argv
    assert "WantedBy=timers.target" in text


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # systemd not installed here: the text checks above still hold
        return
    for name, text in systemd_units(UpdateJob(db=tmp_path / "archive.db"), parse_every("07:15")).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(tmp_path / f"{UNIT}.service"), str(tmp_path / f"{UNIT}.timer")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("every", "cron", "calendar"), [
    ("daily", "0 3 * * *", "*-*-* 03:00:00"),
    ("06:05", "5 6 * * *", "*-*-* 06:05:00"),
    ("23:59", "59 23 * * *", "*-*-* 23:59:00"),
])
def test_every(every, cron, calendar, tmp_path):
    text = zfxxgk("schedule", "--every", every, "--db", str(tmp_path / "a.db")).stdout
    assert [x for x in text.splitlines() if x.endswith(MARK)][0].startswith(cron + " cd ")
    assert f"OnCalendar={calendar}" in text


def test_bad_every_is_a_usage_error(tmp_path):
    result = zfxxgk("schedule", "--every", "25:00", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and "--every" in result.stderr


def test_the_cron_command_runs_the_update(scheduled):
    assert scheduled.first.returncode == 0, scheduled.first_out
    db = sqlite_utils.Database(scheduled.db)
    runs = list(db.query("select source_id, status from crawl_runs"))
    assert sorted(r["source_id"] for r in runs) == sorted(SOURCE_SITES)
    assert {r["status"] for r in runs} == {"ok"}
    assert db.execute("select count(*) from reports").fetchone()[0] >= 30
    log = scheduled.db.with_name("update.log").read_text(encoding="utf-8")
    assert "解析抓取结果" in log  # the ingest step's summary went to the log
    assert "[ok] sample-trs" in log


def test_a_second_update_is_refused_while_one_runs(scheduled):
    assert scheduled.second.returncode == LOCKED_EXIT
    assert "another update" in scheduled.second.stderr and "另一个更新正在运行" in scheduled.second.stderr
    assert scheduled.lock_holder.isdigit()
    # the refused update wrote nothing: still one run per source
    db = sqlite_utils.Database(scheduled.db)
    assert db.execute("select count(*) from crawl_runs").fetchone()[0] == len(SOURCE_SITES)


def test_the_lock_is_free_again_afterwards(scheduled):
    with update_lock(scheduled.db) as path:
        assert path == lock_path(scheduled.db) and path.parent == scheduled.db.parent
        with pytest.raises(UpdateLocked, match="another update"), update_lock(scheduled.db):
            pass


UNREACHABLE = """sample: true
settings:
  DOWNLOAD_DELAY: 0
  AUTOTHROTTLE_START_DELAY: 0
  RETRY_TIMES: 1
  RETRY_BACKOFF_BASE: 0.1
  DOWNLOAD_TIMEOUT: 5
sources:
  - id: sample-down
    agency: 样例县某局
    province: 样例省
    level: 部门
    cms: generic
    start_urls: ["http://127.0.0.1:{port}/xxgk/gknb/index.html"]
    evidence: "http://127.0.0.1:{port}/xxgk/gknb/index.html"
"""


def test_an_unreachable_source_fails_visibly(tmp_path):
    port = free_port()  # nothing listens there
    registry = tmp_path / "sources.yaml"
    registry.write_text(UNREACHABLE.replace("{port}", str(port)), encoding="utf-8")
    result = zfxxgk("update", "--db", str(tmp_path / "archive.db"), "--registry", str(registry))
    assert result.returncode == 1
    assert "[failed] sample-down" in result.stderr
    (run,) = sqlite_utils.Database(tmp_path / "archive.db")["crawl_runs"].rows
    assert run["status"] == "failed" and run["finished_at"]
    errors = json.loads(run["errors"])
    assert errors["connection_refused"] >= 1 and errors["no_reports"] == 1
    summary = json.loads(run["summary"])
    assert f"connection_refused http://127.0.0.1:{port}/xxgk/gknb/index.html" in summary["failed_urls"]


def test_an_update_that_cannot_crawl_leaves_a_failed_run(tmp_path):
    registry = tmp_path / "sources.yaml"
    registry.write_text("sample: true\nsources:\n  - id: x\n", encoding="utf-8")  # invalid entry
    result = zfxxgk("update", "--db", str(tmp_path / "archive.db"), "--registry", str(registry))
    assert result.returncode == 1 and "update failed" in result.stderr
    (run,) = sqlite_utils.Database(tmp_path / "archive.db")["crawl_runs"].rows
    assert run["status"] == "failed" and run["source_id"] is None
    assert json.loads(run["errors"]) == {"crawl_failed": 1}
    summary = json.loads(run["summary"])
    assert summary["stage"] == "crawl" and "missing agency" in summary["error"]
