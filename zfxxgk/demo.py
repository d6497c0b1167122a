"""The bundled sample: the real seed reports plus generated ones, written as documents
(text and HTML, both format eras, some with numbers that do not add up) for ``zfxxgk demo``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from zfxxgk.generator import STYLES, generate_report, render

SEEDS = Path(__file__).with_name("samples") / "seeds"


def write_samples(dest: Path, *, generated: int = 60, log: Callable[[str], None] = print) -> Path:
    """Write the sample documents under ``dest`` (seeds/ and generated/) and return it.

    Deterministic: the same ``generated`` count always writes the same bytes, so building
    the demo twice adds nothing the second time. Every fifth generated report breaks one
    consistency rule on purpose, so the archive shows findings.
    """
    seeds_dir = dest / "seeds"
    gen_dir = dest / "generated"
    seeds_dir.mkdir(parents=True, exist_ok=True)
    gen_dir.mkdir(parents=True, exist_ok=True)
    for src in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(src, seeds_dir / src.name)
    for i in range(generated):
        report = generate_report(i, consistent=(i % 5 != 4))
        rendered = render(report, STYLES[i % len(STYLES)])
        (gen_dir / rendered.name).write_bytes(rendered.data)
    log(f"样例文档 {len(list(SEEDS.glob('*.txt')))} 份真实报告 + {generated} 份生成报告 → {dest} / "
        f"sample documents written")
    return dest
