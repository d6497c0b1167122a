"""A fork server for kill points: one child process imports the code once (Scrapy, the
parsers, sqlite-utils — about two seconds), then forks a fresh process for each run. The
forked process runs the stage exactly as a command would (its own database connections,
its own reactor) and is the one killed with SIGKILL; a kill point then costs the work
before it, not a two-second start-up each time.

Protocol (lines on the server's stdin/stdout): ``{"call": "module:function", "args": [...],
"log": path}`` → ``pid N`` once forked, ``exit STATUS`` once it has ended."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

from zfxxgk.crawl import child_env

# What the server imports before forking: never anything that installs a Twisted reactor
# (the crawl installs the asyncio one itself, in the forked process).
PRELOAD = ("zfxxgk.build", "zfxxgk.ingest", "zfxxgk.db", "parsers", "crawler.runner", "crawler.store",
           "crawler.spiders.reports", "crawler.guard", "crawler.middlewares", "crawler.pipelines")

SERVER = r'''
import importlib, json, os, sys, traceback
for name in sys.argv[1:]:
    importlib.import_module(name)
if "twisted.internet.reactor" in sys.modules:
    raise SystemExit("a preloaded module installed a reactor")
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fd = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            module, func = job["call"].split(":")
            result = getattr(importlib.import_module(module), func)(*job["args"])
            code = result if isinstance(result, int) else 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    print(f"pid {pid}", flush=True)
    _, status = os.waitpid(pid, 0)
    print(f"exit {status}", flush=True)
'''


def killed(status: int) -> bool:
    """Whether a wait status is that of a process ended by SIGKILL."""
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


class Zygote:
    """The fork server, started on construction; ``close()`` ends it."""

    def __init__(self, preload: tuple[str, ...] = PRELOAD):
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, *preload], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=child_env())
        if self._line(120) != "ready":
            self.close()
            raise RuntimeError("fork server did not start")
        self.pid: int | None = None
        self.pidfd: int | None = None

    def _line(self, timeout: float | None) -> str | None:
        assert self.proc.stdout is not None
        if timeout is not None:
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            if not ready:
                return None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("fork server ended")
        return line.decode().strip()

    def start(self, call: str, args: list[str], log: Path) -> int:
        """Fork a run of ``call(*args)``; returns its pid."""
        assert self.proc.stdin is not None and self.pid is None
        self.proc.stdin.write((json.dumps({"call": call, "args": args, "log": str(log)}) + "\n").encode())
        self.proc.stdin.flush()
        line = self._line(60)
        assert line and line.startswith("pid "), line
        self.pid = int(line.split()[1])
        try:  # a handle on this very process: a signal can never hit a reused pid
            self.pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):
            self.pidfd = None
        return self.pid

    def poll(self, timeout: float = 0.0) -> int | None:
        """The run's wait status once it has ended, else None."""
        line = self._line(timeout)
        if line is None:
            return None
        assert line.startswith("exit "), line
        self.pid = None
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        return int(line.split()[1])

    def kill(self) -> int:
        """SIGKILL the run (unless it has just ended by itself); returns its wait status
        (``killed(status)`` tells which)."""
        assert self.pid is not None
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it ended on its own a moment ago
        status = self.poll(60)
        assert status is not None, "killed run did not end"
        return status

    def run(self, call: str, args: list[str], log: Path, timeout: float = 600) -> int:
        """Run to the end; returns the exit code."""
        self.start(call, args, log)
        status = self.poll(timeout)
        if status is None:
            self.kill()
            raise TimeoutError(f"{call} ran longer than {timeout} s")
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pid is not None:
            self.kill()
        self.close()
