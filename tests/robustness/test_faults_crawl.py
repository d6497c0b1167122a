"""A crawl of the sample portal in its fault-injecting mode (real Scrapy in a child process,
real HTTP and TLS on 127.0.0.1): it completes, keeps no wrong bytes, books every fault it
could not get past by kind, and a later crawl without faults fills exactly the gaps — the
archive ends equal to that of a clean crawl."""

from __future__ import annotations

import pytest

from zfxxgk.portal.faults import FAULT_ERRORS, RETRY_AFTER
from zfxxgk.robustness.faultcrawl import run_fault_crawl

SEED = 1  # this seed's plan draws twelve of the thirteen fault kinds on pages the crawl asks for

# What the trap site must cost a crawl, fault-free: each trap booked once, by kind.
TRAP_ERRORS = {
    "too_large": 3,  # 2 GB with Content-Length, 2 GB chunked, the gzip bomb
    "redirect_loop": 2,  # by Location and by <meta http-equiv="refresh">
    "redirect_max": 1,  # a chain of 30 redirects
    "blocked_address": 2,  # redirects to 169.254.169.254 and to 10.0.0.1
    "blocked_scheme": 1,  # a redirect to file:///etc/passwd
    "http_404": 1,  # a listed report that is gone
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    return run_fault_crawl(tmp_path_factory.mktemp("faults"), seed=SEED)


def test_faults_were_injected_and_some_survived(figures):
    assert figures.faulted >= 15
    assert len(figures.by_kind) >= 10, figures.by_kind
    assert set(figures.by_kind) <= set(FAULT_ERRORS)
    assert figures.survived > 0 and figures.recorded > 0


def test_every_failure_is_booked_by_kind(figures):
    assert figures.unbooked == {}, figures.unbooked
    assert figures.unexplained == {}, figures.unexplained
    booked = sum(sum(kinds.values()) for kinds in figures.expected_errors.values())
    assert booked >= figures.recorded  # each hard fault, plus the broken links and traps


def test_nothing_wrong_is_kept(figures):
    """Truncated, stalled and over-long bodies were never stored as captures."""
    assert figures.wrong_captures == 0
    assert figures.fault_captures < figures.clean_captures


def test_a_fault_free_crawl_fills_exactly_the_gaps(figures):
    assert figures.gaps > 0
    assert figures.filled == figures.gaps
    assert (figures.missing, figures.extra) == (0, 0)


def test_traps_are_bounded_and_booked(figures):
    assert figures.trap_errors == TRAP_ERRORS
    assert 0 < figures.trap_pages <= figures.trap_budget
    for path, sent in figures.huge_bytes_sent.items():  # stopped by DOWNLOAD_MAXSIZE (64 MiB)
        assert sent < 128 * 1024 ** 2, (path, sent)
    assert set(figures.huge_bytes_sent) == {"/files/huge.pdf", "/files/stream.pdf"}
    assert figures.offsite_requests == 0


def test_retry_after_is_respected(figures):
    assert figures.retry_after_waits, "the seed should draw a 503 with Retry-After"
    assert all(wait >= RETRY_AFTER for wait in figures.retry_after_waits), figures.retry_after_waits


def test_self_signed_tls_site_is_crawled(figures):
    assert figures.https_captures == 4  # column page, two reports, one PDF
    assert figures.ok
