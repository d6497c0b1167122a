"""What Chromium may load while rendering: pages and their scripts/data, never images,
fonts or media, and never a host outside the source registry (checked by the spider's
allowlist for pages; here for subresources by host of the page itself)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Request as PlaywrightRequest

BLOCKED_TYPES = {"image", "font", "media", "stylesheet"}


def abort_request(request: PlaywrightRequest) -> bool:
    if request.resource_type in BLOCKED_TYPES:
        return True
    try:
        frame_url = request.frame.url
    except Exception:  # noqa: BLE001 - service-worker requests have no frame
        return False
    if not frame_url or frame_url == "about:blank":
        return False
    return urlsplit(request.url).hostname != urlsplit(frame_url).hostname
