"""The one item the spider emits: a fetched body and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CaptureItem:
    url: str
    source_id: str
    kind: str  # listing | data | report | attachment
    status: int
    body: bytes
    content_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    parent_url: str | None = None
    not_modified: bool = False  # body came from the archive after a 304
    rendered: bool = False  # body is a browser DOM, not the HTTP payload
