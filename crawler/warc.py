"""One WARC file per crawl run (per source), written by a downloader middleware that sits
next to the network (order 950) and so sees raw bodies and headers, before decompression.

Each record is a gzip member written in one piece and flushed. A crawl killed mid-write can
leave a torn last member: ``repair_warc`` cuts the file back to its last whole record before a
resumed run opens a new part file, so every file passes ``warcio check``."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)
_PART = re.compile(r"^run-(\d+)-(\d+)\.warc\.gz$")
# Headers describing the transfer, not the payload we record (already de-chunked).
_DROP_HEADERS = {"transfer-encoding"}


def repair_warc(path: Path) -> int:
    """Truncate ``path`` after its last complete record; returns the records kept."""
    good_end, count = 0, 0
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        try:
            for record in it:
                record.content_stream().read()
                count += 1
                it.read_to_end(record)
                good_end = it.get_record_offset() + it.get_record_length()
        except Exception:  # noqa: BLE001 - any damage means: cut here
            logger.warning("WARC %s damaged after %d records: truncating", path, count)
    if path.stat().st_size != good_end:
        with path.open("r+b") as fh:
            fh.truncate(good_end)
    return count


class RunWarc:
    """Appends records to ``run-<run_id>-<part>.warc.gz`` in ``directory``."""

    def __init__(self, directory: Path, run_id: int, software: str):
        directory.mkdir(parents=True, exist_ok=True)
        parts = [int(m.group(2)) for p in directory.iterdir()
                 if (m := _PART.match(p.name)) and int(m.group(1)) == run_id]
        for part in sorted(parts):  # files left by an interrupted process of the same run
            repair_warc(directory / f"run-{run_id}-{part:02d}.warc.gz")
        self.path = directory / f"run-{run_id}-{max(parts, default=0) + 1:02d}.warc.gz"
        self._fh = self.path.open("ab")
        self._write_records([self._warcinfo(run_id, software)])

    def _warcinfo(self, run_id: int, software: str) -> Any:
        writer = WARCWriter(io.BytesIO(), gzip=True)
        return writer.create_warcinfo_record(self.path.name, {
            "software": software, "format": "WARC File Format 1.1",
            "description": f"zfxxgk crawl run {run_id}",
        })

    def _write_records(self, records: list[Any]) -> None:
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True)
        for record in records:
            writer.write_record(record)
        self._fh.write(buf.getvalue())
        self._fh.flush()

    def write_exchange(self, *, url: str, method: str, request_headers: list[tuple[str, str]],
                       request_body: bytes, status: int, reason: str,
                       response_headers: list[tuple[str, str]], body: bytes, rendered: bool) -> None:
        """A request record and its response (or, for a browser-rendered DOM, a resource)."""
        writer = WARCWriter(io.BytesIO(), gzip=True)
        records = []
        if rendered:
            records.append(writer.create_warc_record(
                url, "resource", payload=io.BytesIO(body),
                warc_content_type="text/html; charset=utf-8",
                warc_headers_dict={"WARC-Rendered-By": "chromium (DOM after scripts ran)"},
            ))
        else:
            path = url.split("://", 1)[-1]
            path = path[path.find("/"):] if "/" in path else "/"
            req_http = StatusAndHeaders(f"{method} {path} HTTP/1.1", request_headers, is_http_request=True)
            req = writer.create_warc_record(url, "request", payload=io.BytesIO(request_body),
                                            http_headers=req_http)
            headers = [(k, v) for k, v in response_headers if k.lower() not in _DROP_HEADERS]
            resp_http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
            resp = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                             http_headers=resp_http)
            req.rec_headers.add_header("WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID"))
            records += [resp, req]
        self._write_records(records)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()
