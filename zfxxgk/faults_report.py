"""``zfxxgk robustness``: one command that measures how the archive stands up to faulty
portals, kill -9, malformed documents and load, and prints the figures (中文 first).

    faults   crawls of the fault-injecting sample portal (zfxxgk.robustness.faultcrawl)
    crash    kill -9 at seeded points of crawl, ingest and build (zfxxgk.robustness.crash)
    fuzz     mutated documents through every reader (zfxxgk.robustness.fuzz)
    load     Datasette under concurrent readers while builds write (zfxxgk.robustness.load)

Everything runs on 127.0.0.1 in a work folder (a temporary one unless given). The full run
(10,000 mutated documents per fast format) takes the better part of an hour on two cores;
``--fuzz-cases`` and ``--only`` make it shorter, ``--reports 100000`` makes the load figure
the full-scale one (writing that archive takes a while).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STAGES = ("faults", "crash", "fuzz", "load")
Log = Callable[[str], None]


@dataclass
class RobustnessFigures:
    seed: int
    faults: list[dict[str, Any]] = field(default_factory=list)  # one per fault seed
    crash: list[dict[str, Any]] = field(default_factory=list)  # crawl, ingest, build
    fuzz: list[dict[str, Any]] = field(default_factory=list)  # one per format
    load: list[dict[str, Any]] = field(default_factory=list)  # wal, replace
    canned_ms: dict[str, float] = field(default_factory=dict)  # each canned query alone
    findings_dir: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        parts = self.faults + self.crash + self.load
        return all(p.get("ok") for p in parts) and all(f["crashes"] == 0 for f in self.fuzz)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def _fuzz_child(kind: str, cases: int, seed: int, corpus_dir: Path, findings: Path) -> dict[str, Any]:
    """One format's fuzzing in its own process (two formats can then use two cores)."""
    code = ("import json, sys; from pathlib import Path; from zfxxgk.robustness import fuzz\n"
            "corpus = fuzz.build_corpus(Path(sys.argv[4]), {sys.argv[1]})\n"
            "f = fuzz.fuzz_format(sys.argv[1], corpus[sys.argv[1]], int(sys.argv[2]), seed=int(sys.argv[3]),"
            " findings=Path(sys.argv[5]), log=lambda m: print(m, file=sys.stderr, flush=True))\n"
            "print(json.dumps(f.as_dict()))\n")
    from zfxxgk.crawl import child_env

    out = subprocess.run([sys.executable, "-c", code, kind, str(cases), str(seed), str(corpus_dir / kind),
                          str(findings)], capture_output=True, env=child_env(), check=False)
    if out.returncode != 0:
        raise RuntimeError(f"fuzzing {kind} failed: {out.stderr.decode(errors='replace')[-2000:]}")
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def robustness_report(*, workdir: Path | None = None, seed: int = 7, only: Sequence[str] = STAGES,
                      fault_seeds: int = 3, kill_points: int = 20, fuzz_cases: int = 10_000,
                      slow_fuzz_cases: int = 100, formats: Sequence[str] | None = None, jobs: int = 1,
                      reports: int = 300, readers: int = 8, requests: int = 800,
                      log: Log = print) -> RobustnessFigures:
    """Run the chosen stages and return their figures (``format_report`` prints them)."""
    started = time.perf_counter()
    own = workdir is None
    root = Path(tempfile.mkdtemp(prefix="zfxxgk-robustness-")) if own else Path(workdir)
    root.mkdir(parents=True, exist_ok=True)
    figures = RobustnessFigures(seed=seed)
    try:
        if "faults" in only:
            from zfxxgk.robustness.faultcrawl import run_fault_crawl

            for k in range(fault_seeds):
                log(f"故障抓取 / fault crawl, seed {seed + k} …")
                figures.faults.append(run_fault_crawl(root / f"faults-{seed + k}", seed=seed + k).as_dict())
        if "crash" in only:
            from zfxxgk.robustness import crash

            log(f"kill -9 × {kill_points}：抓取 / crawl …")
            crawl = crash.crawl_kills(root / "crash-crawl", points=kill_points, seed=seed)
            log(f"kill -9 × {kill_points}：解析入库 / ingest …")
            ingest = crash.ingest_kills(root / "crash-ingest", root / "crash-crawl" / "clean", points=kill_points,
                                        seed=seed)
            log(f"kill -9 × {kill_points}：建库 / build …")
            build = crash.build_kills(root / "crash-build", points=kill_points, seed=seed)
            for fig in (crawl, ingest, build):
                d = fig.as_dict()
                d["kills"] = [k for k in d["kills"] if k["killed"]]
                figures.crash.append(d)
        if "fuzz" in only:
            from parsers.readers import READERS
            from zfxxgk.robustness.fuzz import SLOW

            findings = root / "fuzz-findings"
            figures.findings_dir = str(findings)
            kinds = [k for k in (formats or sorted(READERS)) if k in READERS]

            def one(kind: str) -> dict[str, Any]:
                cases = slow_fuzz_cases if kind in SLOW else fuzz_cases
                log(f"模糊测试 / fuzzing {kind}: {cases} …")
                try:
                    return _fuzz_child(kind, cases, seed, root / "fuzz-corpus", findings)
                except KeyError:
                    return {"format": kind, "cases": 0, "crashes": 0, "outcomes": {}, "skipped": True}
                except RuntimeError as e:
                    if "KeyError" in str(e):  # no sample of this format on this machine
                        return {"format": kind, "cases": 0, "crashes": 0, "outcomes": {}, "skipped": True}
                    raise

            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                figures.fuzz = list(pool.map(one, kinds))
        if "load" in only:
            from zfxxgk.robustness import load

            log(f"负载 / load: {reports} 份报告，{readers} 个并发读者 / reports, concurrent readers …")
            wal = load.load_while_building(root / "load-wal", reports=reports, new_documents=150,
                                           readers=readers, requests=requests, log=log)
            figures.canned_ms = load.canned_timings(root / "load-wal" / "wal" / "archive.db")
            big = reports > 20_000  # copying a multi-GB archive per round: one round is enough
            replace = load.load_while_replacing(root / "load-replace", rounds=1 if big else 3,
                                                new_documents=20 if big else 60, readers=readers,
                                                requests=requests // 2,
                                                start_from=root / "load-wal" / "wal" / "archive.db", log=log)
            figures.load = [wal.as_dict(), replace.as_dict()]
    finally:
        if own:
            keep = figures.findings_dir and any(Path(figures.findings_dir).glob("*.bin"))
            if keep:
                log(f"失败输入保存在 / failing inputs kept in {figures.findings_dir}")
            else:
                shutil.rmtree(root, ignore_errors=True)
    figures.seconds = round(time.perf_counter() - started, 1)
    return figures


def format_report(fig: RobustnessFigures) -> str:
    """The figures as people read them (中文 first, then English)."""
    out = [f"稳健性 · Robustness (seed {fig.seed}, {fig.seconds:.0f} s) — "
           + ("全部达标 all targets met" if fig.ok else "未达标 TARGETS MISSED")]
    if fig.faults:
        inj = sum(f["injections"] for f in fig.faults)
        tgt = sum(f["faulted"] for f in fig.faults)
        surv = sum(f["survived"] for f in fig.faults)
        rec = sum(f["recorded"] for f in fig.faults)
        gaps = sum(f["gaps"] for f in fig.faults)
        filled = sum(f["filled"] for f in fig.faults)
        wrong = sum(f["wrong_captures"] + f["missing"] + f["extra"] for f in fig.faults)
        unbooked = sum(len(f["unbooked"]) + len(f["unexplained"]) for f in fig.faults)
        kinds = sorted({k for f in fig.faults for k in f["by_kind"]})
        out += [
            "",
            f"故障注入 faults ({len(fig.faults)} 个种子 seeds): 注入 {inj} 次，涉及 {tgt} 个网址；"
            f"当场挺过 {surv}，挺不过的 {rec} 个全部按类别记入 crawl_runs.errors（漏记或多记 {unbooked}）；"
            f"补抓填满缺口 {filled}/{gaps}，与干净抓取相差 {wrong} 条",
            f"  {inj} faulty answers on {tgt} URLs: {surv} survived in the same crawl, {rec} booked by kind "
            f"({unbooked} unbooked/unexplained); the next crawl filled {filled}/{gaps} gaps; "
            f"final archive vs clean crawl: {wrong} rows differ",
            f"  kinds: {', '.join(kinds)}",
            f"  traps (each crawl): {fig.faults[0]['trap_errors']}; endless pages fetched "
            f"{max(f['trap_pages'] for f in fig.faults)} ≤ budget {fig.faults[0]['trap_budget']}; "
            f"2 GB bodies stopped after {max(max(f['huge_bytes_sent'].values(), default=0) for f in fig.faults) // 2**20} MiB",
        ]
    if fig.crash:
        out += ["", "kill -9 崩溃安全 crash safety:"]
        for c in fig.crash:
            out.append(f"  {c['stage']:<7} {c['points']} 个杀死点 kill points, 丢失 rows lost {c['lost']}, "
                       f"残缺报告 partial reports {c['partial_reports']}, integrity_check {c['integrity']}, "
                       f"多出 extra {sum(c['rows_extra'].values())}")
    if fig.fuzz:
        total = sum(f["cases"] for f in fig.fuzz)
        crashes = sum(f["crashes"] for f in fig.fuzz)
        out += ["", f"模糊测试 fuzzing: {total} 份变异文档 mutated documents, 未捕获异常/超时/进程崩溃 "
                    f"uncaught exceptions, hangs, dead workers: {crashes}"]
        for f in fig.fuzz:
            if f.get("skipped"):
                out.append(f"  {f['format']:<9} 本机无法生成样本 / no sample on this machine")
                continue
            out.append(f"  {f['format']:<9} {f['cases']:>6} cases  {f['crashes']} failures  "
                       f"max {f.get('max_seconds', 0)} s  {f['outcomes']}")
        if crashes:
            out.append(f"  失败输入与回溯 failing inputs and tracebacks: {fig.findings_dir}")
    if fig.load:
        out += ["", "负载 serving under load:"]
        for ld in fig.load:
            label = {"wal": "WAL, build writing into the served file",
                     "replace": "immutable (-i), builds published by atomic rename"}[ld["mode"]]
            out.append(f"  {label}: {ld['reports_before']}→{ld['reports_after']} reports, {ld['readers']} readers, "
                       f"{ld['requests']} requests, errors {ld['errors']} (time limit {ld['time_limited']}), "
                       f"database is locked {ld['locked']}, "
                       f"p50 {ld['p50_ms']} ms, p95 {ld['p95_ms']} ms, max {ld['max_ms']} ms")
            out.append(f"    slowest (median ms): {ld['slowest']}")
        if fig.canned_ms:
            slow = {k: v for k, v in fig.canned_ms.items() if v > 250}
            out.append(f"  canned queries alone (ms): {fig.canned_ms}" + (f"; slow: {slow}" if slow else ""))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m zfxxgk.faults_report`` (the same as ``zfxxgk robustness``)."""
    import argparse

    ap = argparse.ArgumentParser(prog="zfxxgk robustness")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", action="append", choices=STAGES)
    ap.add_argument("--fuzz-cases", type=int, default=10_000)
    ap.add_argument("--slow-fuzz-cases", type=int, default=100)
    ap.add_argument("--format", action="append", dest="formats")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--kill-points", type=int, default=20)
    ap.add_argument("--reports", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    fig = robustness_report(workdir=args.workdir, seed=args.seed, only=args.only or STAGES,
                            fuzz_cases=args.fuzz_cases, slow_fuzz_cases=args.slow_fuzz_cases,
                            formats=args.formats, jobs=args.jobs, kill_points=args.kill_points,
                            reports=args.reports, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(fig.as_dict(), ensure_ascii=False, indent=1) if args.json else format_report(fig))
    return 0 if fig.ok else 1


if __name__ == "__main__":
    sys.exit(main())
