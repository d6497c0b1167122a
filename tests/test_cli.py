"""The ``zfxxgk`` command as a user runs it: the installed console script, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.truth import flatten, load, seed_pairs

ZFXXGK = Path(sys.executable).with_name("zfxxgk")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([str(ZFXXGK), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_help_speaks_chinese_first() -> None:
    out = run("--help")
    assert out.returncode == 0
    assert out.stdout.index("政府信息公开") < out.stdout.index("archive")
    for command in ("parse", "build", "serve", "demo"):
        assert command in out.stdout
        sub = run(command, "--help")
        assert sub.returncode == 0 and "Usage" in sub.stdout


def test_parse_json_matches_truth() -> None:
    truth_path, source = seed_pairs()[1]
    out = run("parse", "--json", str(source))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert flatten(report) == flatten(load(truth_path))
    assert report["findings"] == []
    assert report["year"] == 2020


def test_parse_several_files_prints_an_array() -> None:
    sources = [str(src) for _, src in seed_pairs()[:2]]
    out = run("parse", "--json", *sources)
    assert out.returncode == 0
    assert [r["year"] for r in json.loads(out.stdout)] == [2020, 2020]


def test_parse_summary_lists_findings() -> None:
    source = next(src for _, src in seed_pairs() if src.name.startswith("003_"))
    out = run("parse", str(source))
    assert out.returncode == 0
    assert "rule1_balance" in out.stdout and "前进区政府办" in out.stdout


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x00\x01\x02binary\x00" * 50, "unsupported document format"),
        (b"", "empty document"),
        ("只是一段普通的文字，没有任何表格。".encode(), "no report tables"),
        (b"%PDF-1.4 truncated", "corrupt or truncated PDF"),
    ],
)
def test_unreadable_input_is_one_line_and_nonzero(tmp_path, content, reason) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = seed_pairs()[0][1]
    out = run("parse", "--json", str(bad), str(good))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and "Traceback" not in out.stderr
    assert len(json.loads(out.stdout)) == 1  # the good file is still parsed


def test_missing_file() -> None:
    out = run("parse", "/nonexistent/report.txt")
    assert out.returncode == 1
    assert "cannot read file" in out.stderr and "Traceback" not in out.stderr
