"""Parse throughput (CPU time): reports per second for text and HTML, beside the floor cost of merely
decoding the same bytes (``bytes.decode`` for text, ``lxml.html.fromstring`` for HTML), and
the process's peak RSS. Prints a table; asserts nothing (figures, not tests).

    .venv/bin/python bench/bench_parse.py [--n 300] [--repeat 3]

Inputs: ``n`` generated reports rendered in each text style mix ("cells"/"tabs") and HTML
style mix ("word"/"portal"/"split"), then each style on its own (``n`` reports each), plus
the real seed reports (text).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import ParseError, parse  # noqa: E402
from zfxxgk.generator import HTML_STYLES, TEXT_STYLES, generate_report, render  # noqa: E402

SEEDS = ROOT / "zfxxgk" / "samples" / "seeds"


def corpus(n: int) -> dict[str, list[tuple[bytes, str]]]:
    """(bytes, file name) per input set."""
    text, html = [], []
    for seed in range(n):
        report = generate_report(seed, consistent=seed % 4 != 0)
        t = render(report, TEXT_STYLES[seed % len(TEXT_STYLES)])
        h = render(report, HTML_STYLES[seed % len(HTML_STYLES)])
        text.append((t.data, t.name))
        html.append((h.data, h.name))
    seeds = [(p.read_bytes(), p.name) for p in sorted(SEEDS.glob("*.txt"))]
    sets = {"text (generated)": text, "html (generated)": html}
    for style in TEXT_STYLES + HTML_STYLES:
        kind = "text" if style in TEXT_STYLES else "html"
        sets[f"{kind} {style}"] = [
            (doc.data, doc.name)
            for doc in (render(generate_report(seed, consistent=seed % 4 != 0), style)
                        for seed in range(n))
        ]
    sets["text (seeds)"] = seeds
    return sets


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """CPU seconds of the fastest run: the archive's budget is CPU per document, and on a
    shared machine wall time mostly measures the neighbours."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def parse_all(items: list[tuple[bytes, str]]) -> int:
    failures = 0
    for data, name in items:
        try:
            parse(data, name=name)
        except ParseError:
            failures += 1
    return failures


def floor_all(items: list[tuple[bytes, str]]) -> None:
    for data, name in items:
        if name.endswith(".html"):
            lxml.html.fromstring(data)
        else:
            data.decode("utf-8", errors="replace")


def main() -> None:
    ap = argparse.ArgumentParser(description="解析速度基准 / parse throughput benchmark")
    ap.add_argument("--n", type=int, default=300, help="每类生成报告数 / generated reports per format")
    ap.add_argument("--repeat", type=int, default=3, help="重复次数，取最快 / runs, best kept")
    args = ap.parse_args()

    t0 = time.perf_counter()
    sets = corpus(args.n)
    print(f"corpus built in {time.perf_counter() - t0:.1f}s")
    header = f"{'input':<18} {'n':>5} {'MB':>6} {'parse/s':>9} {'ms/report':>10} {'floor/s':>10} {'ratio':>7} {'errors':>6}"
    print(header)
    print("-" * len(header))
    for label, items in sets.items():
        size = sum(len(d) for d, _ in items) / 1e6
        failures = parse_all(items)  # warm-up, and count unreadable inputs once
        t_parse = best_time(lambda items=items: parse_all(items), args.repeat)
        t_floor = best_time(lambda items=items: floor_all(items), args.repeat)
        n = len(items)
        print(f"{label:<18} {n:>5} {size:>6.2f} {n / t_parse:>9.1f} {1000 * t_parse / n:>10.2f} "
              f"{n / t_floor:>10.0f} {t_parse / t_floor:>6.0f}x {failures:>6}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
