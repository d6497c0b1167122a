"""Synthetic annual reports with their truth, for property tests and benchmarks.

``generate_report(seed)`` draws a realistic report (agency, year, format era, numbers that
obey — or deliberately break — the consistency rules, body text); ``render(report, style)``
prints it as text ("cells", "tabs") or HTML ("word", "portal", "split"). The truth comes
from the model, never from a parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from zfxxgk.generator.model import GeneratedReport, generate_report
from zfxxgk.generator.render_html import HTML_STYLES, html_charsets, render_html
from zfxxgk.generator.render_text import TEXT_STYLES, render_text

STYLES = TEXT_STYLES + HTML_STYLES


@dataclass(frozen=True, slots=True)
class Rendered:
    """Bytes of one rendering, with the file name a crawler would store it under and the
    encoding actually used (``declared`` is what the HTML meta says, maybe wrongly)."""

    data: bytes
    name: str
    style: str
    encoding: str
    declared: str | None = None


def render(report: GeneratedReport, style: str) -> Rendered:
    """Render ``report`` in any style of ``STYLES``."""
    name = f"gen_{report.seed}_{style}"
    if style in TEXT_STYLES:
        return Rendered(render_text(report, style), name + ".txt", style, "utf-8")
    if style in HTML_STYLES:
        enc, declared = html_charsets(report, style)
        return Rendered(render_html(report, style), name + ".html", style, enc, declared)
    raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


__all__ = [
    "HTML_STYLES",
    "STYLES",
    "TEXT_STYLES",
    "GeneratedReport",
    "Rendered",
    "generate_report",
    "html_charsets",
    "render",
    "render_html",
    "render_text",
]
