"""Shared fixtures: the seed documents, a built archive of seeds plus generated reports,
and a real Datasette serving it on a free loopback port (started exactly as ``zfxxgk
serve`` starts it)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from zfxxgk.build import build_archive
from zfxxgk.generator import STYLES, generate_report, render
from zfxxgk.serve import datasette_args

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "zfxxgk" / "samples" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
GENERATED = 40  # generated reports added to the seeds in the shared archive


def copy_seeds(dest: Path) -> Path:
    """Copy the five seed documents (not their truth files) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in SEED_FILES:
        shutil.copyfile(path, dest / path.name)
    return dest


def write_generated(dest: Path, count: int, *, first_seed: int = 1000) -> list[Path]:
    """Render ``count`` generated reports into ``dest``, cycling through every style."""
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        doc = render(generate_report(first_seed + i), STYLES[i % len(STYLES)])
        path = dest / doc.name
        path.write_bytes(doc.data)
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def archive_documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the five seeds and ``GENERATED`` generated reports (in a subfolder)."""
    folder = tmp_path_factory.mktemp("documents")
    copy_seeds(folder / "seeds")
    write_generated(folder / "generated", GENERATED)
    return folder


@pytest.fixture(scope="session")
def seed_archive(archive_documents: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """archive.db built from ``archive_documents`` (named archive.db: the metadata's name)."""
    db_path = tmp_path_factory.mktemp("archive") / "archive.db"
    stats = build_archive(archive_documents, db_path, log=lambda _: None, workers=1)
    assert stats.failures == 0
    assert stats.reports_added == len(SEED_FILES) + GENERATED
    return db_path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running Datasette: its base URL and small HTTP helpers (urllib, no mocks)."""

    base: str
    process: subprocess.Popen

    def url(self, path: str, **params: Any) -> str:
        query = urllib.parse.urlencode(params)
        return f"{self.base}{path}" + (f"?{query}" if query else "")

    def get(self, path: str, **params: Any) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url(path, **params))
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, path: str, **params: Any) -> Any:
        status, body = self.get(path, **params)
        assert status == 200, (status, body[:500])
        return json.loads(body)

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.base + path, data=body, method="POST", headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


def start_datasette(db_path: Path, *, timeout: float = 60.0) -> Server:
    """Start Datasette with ``datasette_args`` and wait until it answers."""
    port = free_port()
    log_path = db_path.with_name(f"datasette-{port}.log")
    with log_path.open("wb") as log:  # a file, not a pipe: a full pipe would block it
        process = subprocess.Popen(
            datasette_args(db_path, host="127.0.0.1", port=port),
            stdout=log, stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"datasette exited: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.url("/-/versions.json"), timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    stop_datasette(server)
    raise RuntimeError("datasette did not start in time")


def stop_datasette(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def datasette_server(seed_archive: Path) -> Iterator[Server]:
    """Datasette serving the shared archive, for the whole test session."""
    server = start_datasette(seed_archive)
    try:
        yield server
    finally:
        stop_datasette(server)
