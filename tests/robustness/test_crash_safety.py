"""kill -9 at twenty seeded points each of crawl, ingest and build (child processes forked
from a process that has the code loaded), then a re-run: the archive passes SQLite's
integrity check, holds no partial report, and equals the uninterrupted result row for row."""

from __future__ import annotations

import pytest

from zfxxgk.robustness.crash import build_kills, crawl_kills, ingest_kills

POINTS = 20


@pytest.fixture(scope="module")
def crawl_stage(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("crash-crawl")
    return workdir, crawl_kills(workdir, points=POINTS, seed=7)


def _assert_sound(fig):
    assert fig.points >= POINTS, [k.point for k in fig.kills]
    assert fig.integrity == "ok"
    assert fig.partial_reports == 0
    assert fig.fts_problems == 0
    assert fig.lost == 0, fig.rows_lost
    assert sum(fig.rows_extra.values()) == 0, fig.rows_extra
    assert fig.ok


def test_crawl_killed_twenty_times_loses_nothing(crawl_stage):
    _, fig = crawl_stage
    _assert_sound(fig)
    assert fig.warc_damaged == 0
    assert fig.runs_left_running == 0


def test_ingest_killed_twenty_times_loses_nothing(crawl_stage, tmp_path):
    workdir, _ = crawl_stage
    fig = ingest_kills(tmp_path, workdir / "clean", points=POINTS, seed=7)
    _assert_sound(fig)
    assert fig.checks >= 1


def test_build_killed_twenty_times_loses_nothing(tmp_path):
    fig = build_kills(tmp_path, points=POINTS, seed=7)
    _assert_sound(fig)
    assert fig.checks >= 1
