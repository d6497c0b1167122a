"""Why a request failed, as a short stable name: the keys of ``crawl_runs.errors``.

Scrapy 2.13+ raises its own exceptions for download failures (``DownloadTimeoutError``,
``ResponseDataLossError``…) where older versions let Twisted's through; both are named
here, so a timeout is ``timeout`` whichever raised it. A request dropped on purpose
(``IgnoreRequest``) is named after its reason when the reason is a failure worth booking:
a body over ``DOWNLOAD_MAXSIZE`` (declared, streamed or after decompression), too many
redirects, or a refusal of the SSRF guard (``crawler.guard.Blocked`` carries its kind)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as tx
from twisted.python.failure import Failure
from twisted.web import _newclient

try:  # Scrapy ≥ 2.13
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadFailedError,
        DownloadTimeoutError,
        ResponseDataLossError,
    )
except ImportError:  # pragma: no cover - older Scrapy: only Twisted's exceptions occur
    class _Never(Exception):
        pass

    CannotResolveHostError = DownloadCancelledError = DownloadConnectionRefusedError = _Never  # type: ignore[misc]
    DownloadFailedError = DownloadTimeoutError = ResponseDataLossError = _Never  # type: ignore[misc]

# (exception classes, kind), first match wins
_KINDS: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((CannotResolveHostError, tx.DNSLookupError), "dns"),
    ((DownloadTimeoutError, tx.TimeoutError, tx.TCPTimedOutError), "timeout"),
    ((DownloadConnectionRefusedError, tx.ConnectionRefusedError), "connection_refused"),
    ((ResponseDataLossError, _newclient.PotentialDataLoss), "data_loss"),
    ((DownloadCancelledError, defer.CancelledError), "too_large"),
    ((_newclient.ResponseNeverReceived, tx.ConnectionLost, tx.ConnectionDone, _newclient.ResponseFailed,
      DownloadFailedError), "connection_lost"),
]


def _ignored_kind(exc: IgnoreRequest) -> str:
    kind = getattr(exc, "kind", None)
    if kind:
        return str(kind)
    text = str(exc).lower()
    if "robots" in text:
        return "robots_disallowed"
    if "download_maxsize" in text or "maxsize" in text:
        return "too_large"
    if "max redirections" in text:
        return "redirect_max"
    return "ignored"


def error_kind(failure: Failure | BaseException) -> str:
    """A short, stable name for why a request failed."""
    exc = failure.value if isinstance(failure, Failure) else failure
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        return _ignored_kind(exc)
    for classes, kind in _KINDS:
        if isinstance(exc, classes):
            return kind
    return type(exc).__name__.lower()
