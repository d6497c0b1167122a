"""Datasette under a bounded load of concurrent readers on 127.0.0.1 (search, facets,
canned queries, table and row pages) while builds write: no errors, no "database is
locked". Latencies are printed, never asserted."""

from __future__ import annotations

from zfxxgk.robustness.load import load_while_building, load_while_replacing, served_count


def test_wal_archive_serves_while_a_build_writes_into_it(tmp_path):
    fig = load_while_building(tmp_path, reports=300, new_documents=150, readers=6, requests=300)
    print(f"\nwal: {fig.requests} requests, p50 {fig.p50_ms} ms, p95 {fig.p95_ms} ms, max {fig.max_ms} ms")
    assert fig.locked == 0
    assert fig.errors == 0, fig.error_samples
    assert fig.requests >= 300
    assert fig.writes == 150  # the build really wrote while the readers read
    assert fig.ok


def test_published_file_is_replaced_atomically_under_load(tmp_path):
    fig = load_while_replacing(tmp_path, reports=300, new_documents=60, rounds=3, readers=4, requests=200)
    print(f"\nreplace: {fig.requests} requests, p50 {fig.p50_ms} ms, p95 {fig.p95_ms} ms, max {fig.max_ms} ms")
    assert fig.replacements == 3
    assert fig.locked == 0
    assert fig.errors == 0, fig.error_samples
    assert fig.writes == 60
    # the next start of the server serves the last published build
    from zfxxgk.robustness.load import datasette

    with datasette(tmp_path / "published" / "archive.db", immutable=True) as (base, _log):
        assert served_count(base) == fig.reports_after == 360
