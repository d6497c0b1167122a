"""Recurring incremental updates: a cron entry and a systemd timer for ``zfxxgk update``,
the lock that keeps two updates of one archive from overlapping, and the ``crawl_runs`` row
that makes a failed update visible.

Every scheduled run is a fresh process started by cron or systemd (Scrapy's reactor cannot be
restarted within a process), with absolute paths to the virtualenv, the project and the
database, so it does not depend on the caller's working directory or ``PATH``."""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MARK = "zfxxgk-archive:update"  # ends the cron line, so --install can replace it
UNIT = "zfxxgk-update"
LOCKED_EXIT = 75  # EX_TEMPFAIL: try again later


class UpdateLocked(RuntimeError):
    """Another update of the same archive holds the lock."""


def lock_path(db_path: str | Path) -> Path:
    """The lock file beside the database (``archive.db`` → ``archive.db.update.lock``)."""
    db_path = Path(db_path).resolve()
    return db_path.with_name(db_path.name + ".update.lock")


@contextmanager
def update_lock(db_path: str | Path) -> Iterator[Path]:
    """Hold an exclusive ``flock`` for one update; a second one fails at once with
    ``UpdateLocked`` instead of running over the first. The kernel drops the lock when the
    process ends, however it ends, so a crash never leaves a stale lock."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = path.open("a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            raise UpdateLocked(
                f"另一个更新正在运行（进程 {holder}），本次不运行 / another update of {Path(db_path).resolve()} "
                f"is running (pid {holder}); this one does not start. Lock: {path}") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield path
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def record_failed_update(db_path: str | Path, blobs_dir: str | Path, stage: str, error: BaseException | str) -> int:
    """A ``crawl_runs`` row (no source: the whole update) saying the update failed and why."""
    from crawler.store import Archive, utcnow

    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    archive = Archive(db_path, blobs_dir)
    try:
        run_id = archive.start_run(None)
        archive.update_run(run_id, status="failed", finished_at=utcnow(), errors={f"{stage}_failed": 1},
                           summary={"error": message[-4000:], "stage": stage, "command": "zfxxgk update"})
    finally:
        archive.db.conn.close()
    return run_id


# When -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Every:
    """A recurrence as cron's five time fields and as a systemd ``OnCalendar`` value."""

    cron: str
    on_calendar: str
    text: str


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_every(every: str) -> Every:
    """``daily`` (03:00), ``weekly`` (Monday 03:00) or ``HH:MM`` every day."""
    value = every.strip().lower()
    if value == "daily":
        return Every("0 3 * * *", "*-*-* 03:00:00", "每天 03:00 / daily at 03:00")
    if value == "weekly":
        return Every("0 3 * * 1", "Mon *-*-* 03:00:00", "每周一 03:00 / Mondays at 03:00")
    m = _HHMM.match(value)
    if not m:
        raise ValueError(f"无法识别的周期 / cannot read --every {every!r}: use daily, weekly or HH:MM")
    hour, minute = int(m.group(1)), int(m.group(2))
    return Every(f"{minute} {hour} * * *", f"*-*-* {hour:02d}:{minute:02d}:00",
                 f"每天 {hour:02d}:{minute:02d} / daily at {hour:02d}:{minute:02d}")


# What -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class UpdateJob:
    """The scheduled command: ``zfxxgk update`` with absolute paths."""

    db: Path
    repo: Path = PROJECT_ROOT
    venv: Path = Path(sys.prefix)
    registry: Path | None = None
    frontier: str | None = None

    def __post_init__(self) -> None:
        for name in ("db", "repo", "venv", "registry"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Path(value).expanduser().absolute())

    @property
    def log(self) -> Path:
        return self.db.with_name("update.log")

    def argv(self) -> list[str]:
        script = self.venv / "bin" / "zfxxgk"
        head = [str(script)] if script.exists() else [str(self.venv / "bin" / "python"), "-m", "zfxxgk.cli"]
        argv = head + ["update", "--db", str(self.db)]
        if self.registry is not None:
            argv += ["--registry", str(self.registry)]
        if self.frontier:
            argv += ["--frontier", self.frontier]
        return argv

    def shell(self) -> str:
        """The command as one ``/bin/sh`` line, output appended to ``update.log`` beside the
        database (its folder made first, so the redirection works on a first run)."""
        command = " ".join(shlex.quote(a) for a in self.argv())
        return (f"cd {shlex.quote(str(self.repo))} && mkdir -p {shlex.quote(str(self.db.parent))} && "
                f"{command} >> {shlex.quote(str(self.log))} 2>&1")


def cron_line(job: UpdateJob, every: Every) -> str:
    """One crontab line (``%`` is special to cron and is escaped)."""
    return f"{every.cron} {job.shell().replace('%', chr(92) + '%')} # {MARK}"


def _systemd_arg(arg: str) -> str:
    arg = arg.replace("%", "%%").replace("$", "$$")
    if re.search(r'[\s"\'\\;]', arg):
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg


def systemd_units(job: UpdateJob, every: Every) -> dict[str, str]:
    """``zfxxgk-update.service`` (one run, a fresh process) and ``zfxxgk-update.timer``."""
    exec_start = " ".join(_systemd_arg(a) for a in job.argv())
    service = f"""[Unit]
Description=政府信息公开年报档案库增量更新 / zfxxgk-archive incremental update ({str(job.db).replace("%", "%%")})
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
WorkingDirectory={_systemd_arg(str(job.repo))}
ExecStart={exec_start}
Nice=10
"""
    timer = f"""[Unit]
Description=定时运行 zfxxgk update / run zfxxgk update on a schedule ({every.text})

[Timer]
OnCalendar={every.on_calendar}
Persistent=true
Unit={UNIT}.service

[Install]
WantedBy=timers.target
"""
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def render(job: UpdateJob, every: Every) -> str:
    """Everything ``zfxxgk schedule`` prints."""
    units = systemd_units(job, every)
    out = [
        f"# 周期 / schedule: {every.text}",
        "# cron（crontab -e，加入下面一行 / add this line with crontab -e）:",
        cron_line(job, every),
        "",
    ]
    for name, text in units.items():
        out += [f"# systemd 用户单元 / user unit: ~/.config/systemd/user/{name}", text.rstrip(), ""]
    out += ["# 启用 / enable:",
            f"#   systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer",
            f"# 日志 / log: {job.log} (cron), journalctl --user -u {UNIT} (systemd)",
            "# 同一数据库的两次更新不会重叠（锁文件）；失败时退出码非零，crawl_runs 表中有记录。",
            f"# Updates of one database never overlap (lock: {lock_path(job.db)}); a failed run exits",
            "# non-zero and leaves a crawl_runs row with the error."]
    return "\n".join(out) + "\n"


# Install --------------------------------------------------------------------------------
def install_cron(line: str) -> str:
    """Add the line to the user's crontab, replacing an earlier one of ours."""
    crontab = shutil.which("crontab")
    if crontab is None:
        raise RuntimeError("找不到 crontab 命令（未安装 cron）/ no crontab command (cron is not installed)")
    current = subprocess.run([crontab, "-l"], capture_output=True, text=True, check=False)
    kept = [x for x in (current.stdout.splitlines() if current.returncode == 0 else []) if not x.endswith(MARK)]
    subprocess.run([crontab, "-"], input="\n".join([*kept, line]) + "\n", text=True, check=True)
    return f"已写入 crontab / crontab updated: {line}"


def systemd_user_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def install_systemd(units: dict[str, str], directory: Path | None = None) -> list[str]:
    """Write the units, then ask the user's systemd to load and start the timer."""
    directory = directory or systemd_user_dir()
    directory.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, text in units.items():
        (directory / name).write_text(text, encoding="utf-8")
        lines.append(f"已写入 / written: {directory / name}")
    systemctl = shutil.which("systemctl")
    commands = [["daemon-reload"], ["enable", "--now", f"{UNIT}.timer"]]
    for args in commands:
        result = (subprocess.run([systemctl, "--user", *args], capture_output=True, text=True, check=False)
                  if systemctl else None)
        if result is None or result.returncode != 0:
            why = (result.stderr.strip() if result else "no systemctl") or f"exit {result.returncode}"
            lines.append(f"请手动运行 / run by hand: systemctl --user {' '.join(args)}  ({why})")
            break
        lines.append(f"systemctl --user {' '.join(args)}: ok")
    return lines


def systemd_available() -> bool:
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return False
    result = subprocess.run([systemctl, "--user", "show-environment"], capture_output=True, check=False)
    return result.returncode == 0

