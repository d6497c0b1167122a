"""Comparing a parse with a hand-verified truth file (the shape of seeds/*.truth.json)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent.parent / "zfxxgk" / "samples" / "seeds"


def seed_pairs() -> list[tuple[Path, Path]]:
    return [(t, t.with_name(t.name.replace(".truth.json", ".txt"))) for t in sorted(SEEDS.glob("*.truth.json"))]


def _key(label: str) -> str:
    return unicodedata.normalize("NFKC", label).replace(" ", "")


def flatten(report: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    out = {}
    for c in report.get("proactive", []):
        out[("proactive", _key(c["item"]), _key(c["metric"]))] = (c["value"], c.get("unit"))
    for c in report.get("applications", []):
        out[("applications", _key(c["row"]), _key(c["applicant"]))] = (c["value"], c.get("unit"))
    for c in report.get("review_litigation", []):
        out[("review_litigation", _key(c["kind"]), _key(c["result"]))] = (c["value"], c.get("unit"))
    return out


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
