"""Command line: ``zfxxgk`` — each command is a thin layer over a library function."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from parsers import ParseError, parse

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_DB = Path("archive.db")


def _log(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="zfxxgk-archive")
def main() -> None:
    """政府信息公开工作年度报告档案库 — the archive of government information-disclosure
    annual reports.

    \b
    常用流程 / typical use:
      zfxxgk demo                  内置样例：抓取、解析、建库、发布 / the whole pipeline on the sample portal
      zfxxgk parse 报告.html --json   解析一份报告 / parse one report
      zfxxgk crawl --all           抓取登记的网站 / crawl the registered portals
      zfxxgk ingest                解析抓取结果入库 / parse the captures into archive.db
      zfxxgk update                抓取 + 入库 / crawl, then ingest
      zfxxgk schedule              定时更新（cron / systemd）/ schedule the update
      zfxxgk build 文件夹           解析文件夹并写入 archive.db / parse a folder into archive.db
      zfxxgk serve                 只读发布 archive.db / serve archive.db read-only
    """


@main.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出报告 JSON / print the report JSON (FORMAT.md).")
@click.option("--text", "with_text", is_flag=True, help="JSON 中包含全文 / include the full text in the JSON.")
def parse_command(files: tuple[Path, ...], as_json: bool, with_text: bool) -> None:
    """解析报告文件 / Parse report documents (text, HTML, PDF, Word, spreadsheets, scans).

    一个文件输出一个 JSON 对象，多个文件输出 JSON 数组。无法读取的文件在标准错误输出一行原因，
    退出码非零。 One file prints one JSON object, several print an array; a file that cannot
    be read gets a one-line error on stderr and a non-zero exit.
    """
    results = []
    failed = 0
    for path in files:
        try:
            data = path.read_bytes()
            report = parse(data, name=str(path))
        except ParseError as e:
            failed += 1
            click.echo(f"zfxxgk: {path}: {e}", err=True)
            continue
        except OSError as e:
            failed += 1
            click.echo(f"zfxxgk: {path}: 无法读取文件 / cannot read file: {e.strerror}", err=True)
            continue
        except Exception as e:  # noqa: BLE001 - a bad document must never show a traceback
            failed += 1
            click.echo(f"zfxxgk: {path}: 解析失败 / parse failed: {type(e).__name__}: {e}", err=True)
            continue
        results.append(report)
        if not as_json:
            n_cells = sum(1 for c in report.cells if c.value is not None)
            click.echo(
                f"{path}: {report.agency or '?'} · {report.year or '?'}年 · {report.format_era or '?'}版"
                f" · {n_cells}/{len(report.cells)} 个数值 cells · {len(report.findings)} 条发现 findings"
            )
            for f in report.findings:
                click.echo(f"    [{f.rule}] {f.location}: 应为 expected {f.expected}, 实为 actual {f.actual}")
    if as_json and results:
        payload = [r.to_json(with_text=with_text) for r in results]
        out = payload[0] if len(files) == 1 else payload
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    if failed:
        sys.exit(1)


@main.command("build")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="数据库文件 / the SQLite database to write.")
def build_command(source: Path, db_path: Path) -> None:
    """解析文件夹中的报告并写入数据库 / Parse every document under SOURCE into the archive.

    可重复运行：相同内容不会重复入库，内容变化的文件生成新版本。 Idempotent: the same
    bytes never make two reports; a changed document becomes a new version.
    """
    from zfxxgk.build import build_archive

    stats = build_archive(source, db_path, log=_log)
    if stats.failures:
        _log(f"{stats.failures} 个文件无法解析，见 parse_failures 表 / "
             f"{stats.failures} documents could not be parsed: see the parse_failures table")


@main.command("serve")
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=DEFAULT_DB, show_default=True, help="数据库文件 / the database to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="端口 / port.")
def serve_command(db_path: Path, host: str, port: int) -> None:
    """以只读方式发布数据库 (Datasette) / Serve the archive read-only with Datasette."""
    from zfxxgk.serve import serve

    sys.exit(serve(db_path, host=host, port=port))


def _blobs_for(db_path: Path) -> Path:
    return db_path.resolve().parent / "blobs"


@main.command("crawl")
@click.option("--source", "sources", multiple=True, metavar="ID",
              help="只抓取这些登记源（可重复）/ crawl only these registry sources (repeatable).")
@click.option("--all", "crawl_all", is_flag=True, help="抓取全部登记源 / crawl every registry source.")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="登记表文件（默认 crawler/sources.yaml）/ the source registry (default crawler/sources.yaml).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="数据库文件 / the archive database.")
@click.option("--blobs", "blobs_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="原始文件目录（默认数据库旁的 blobs/）/ blob store (default: blobs/ beside the database).")
@click.option("--frontier", metavar="REDIS_URL", default=None,
              help="作为多机共享抓取的一个工作进程（Redis 地址，如 redis://host:6379/0）/ be one worker of "
                   "a crawl shared through Redis (e.g. redis://host:6379/0).")
@click.option("--seed", is_flag=True,
              help="与 --frontier 同用：立即开始新一轮共享抓取（清空队列并放入起始网址）/ with --frontier: "
                   "start a new shared crawl now (reset the queue, push the seeds).")
def crawl_command(sources: tuple[str, ...], crawl_all: bool, registry: Path | None, db_path: Path,
                  blobs_dir: Path | None, frontier: str | None, seed: bool) -> None:
    """抓取登记的政府网站年报栏目 / Crawl registered report columns into raw captures.

    遵守 robots.txt、自动限速、增量（条件请求与内容哈希）、可中断续抓。
    Polite (robots.txt, AutoThrottle), incremental (conditional GET, content hashes), resumable.

    加 --frontier 时，任意多个进程（可在多台机器上）共享同一轮抓取：第一个进程放入起始网址，
    队列抓完后各进程自行退出。 With --frontier any number of processes, on any number of
    machines, share one crawl: the first one seeds it, and all leave once it is drained.
    """
    if not sources and not crawl_all:
        raise click.UsageError("请指定 --source ID 或 --all / give --source ID or --all")
    if seed and not frontier:
        raise click.UsageError("--seed 需要 --frontier / --seed needs --frontier")
    from zfxxgk.crawl import run_crawl

    stats = run_crawl(db_path, blobs_dir or _blobs_for(db_path), sources=list(sources) or None,
                      all=crawl_all, registry=registry, log=_log, frontier=frontier, seed=seed)
    if not stats.ok:
        sys.exit(1)


@main.command("ingest")
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=DEFAULT_DB, show_default=True, help="数据库文件 / the archive database.")
@click.option("--blobs", "blobs_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="原始文件目录（默认数据库旁的 blobs/）/ blob store (default: blobs/ beside the database).")
def ingest_command(db_path: Path, blobs_dir: Path | None) -> None:
    """解析已抓取的报告与附件并入库 / Parse captured reports and attachments into the archive.

    可重复运行，只解析尚未入库的内容。 Re-runnable: only bytes not yet in the archive are parsed.
    """
    from zfxxgk.ingest import ingest_captures

    ingest_captures(db_path, blobs_dir or _blobs_for(db_path), log=_log)


@main.command("update")
@click.option("--source", "sources", multiple=True, metavar="ID", help="只更新这些登记源 / only these sources.")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="登记表文件 / the source registry.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="数据库文件 / the archive database.")
@click.option("--frontier", metavar="REDIS_URL", default=None,
              help="抓取时作为多机共享抓取的一个工作进程（Redis 地址）/ crawl as one worker of a crawl "
                   "shared through Redis.")
def update_command(sources: tuple[str, ...], registry: Path | None, db_path: Path, frontier: str | None) -> None:
    """增量更新：抓取 → 解析 → 入库 / Incremental update: crawl, then parse into the archive.

    同一数据库同时只运行一个更新（锁文件），第二个立即以非零退出码结束；失败的更新退出码非零，
    并在 crawl_runs 表中留下记录。 One update per database at a time (a lock file): a second
    one exits non-zero at once; a failed update exits non-zero and leaves a crawl_runs row.
    """
    from zfxxgk.crawl import run_crawl
    from zfxxgk.ingest import ingest_captures
    from zfxxgk.schedule import LOCKED_EXIT, UpdateLocked, record_failed_update, update_lock

    blobs = _blobs_for(db_path)
    try:
        with update_lock(db_path):
            stage = "crawl"
            try:
                stats = run_crawl(db_path, blobs, sources=list(sources) or None, all=not sources,
                                  registry=registry, log=_log, frontier=frontier)
                stage = "ingest"
                ingest_captures(db_path, blobs, log=_log)
            except Exception as e:  # noqa: BLE001 - recorded in crawl_runs, then a non-zero exit
                run_id = record_failed_update(db_path, blobs, stage, e)
                _log(f"更新失败（crawl_runs 第 {run_id} 行）/ update failed (crawl_runs row {run_id}): {e}")
                sys.exit(1)
    except UpdateLocked as e:
        _log(f"zfxxgk: {e}")
        sys.exit(LOCKED_EXIT)
    if not stats.ok:
        _log("抓取有错误，详见 crawl_runs 表 / the crawl had errors: see the crawl_runs table")
        sys.exit(1)


@main.command("schedule")
@click.option("--every", default="daily", show_default=True, metavar="daily|weekly|HH:MM",
              help="每天（03:00）、每周（周一 03:00）或每天的某个时刻 / daily (03:00), weekly (Mondays 03:00) "
                   "or every day at HH:MM.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="数据库文件 / the archive database.")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="登记表文件 / the source registry.")
@click.option("--frontier", metavar="REDIS_URL", default=None,
              help="定时更新作为共享抓取的工作进程 / scheduled updates crawl as workers of a shared crawl.")
@click.option("--install", type=click.Choice(["auto", "cron", "systemd"]), is_flag=False, flag_value="auto",
              default=None, help="写入用户 crontab 或 ~/.config/systemd/user（auto：有 systemd 用户会话时用 "
                                 "systemd）/ install into the user crontab or ~/.config/systemd/user (auto: "
                                 "systemd when a user manager runs).")
def schedule_command(every: str, db_path: Path, registry: Path | None, frontier: str | None,
                     install: str | None) -> None:
    """定时增量更新：输出 cron 行与 systemd 定时器 / Print a cron entry and a systemd timer for
    the recurring incremental `zfxxgk update`.

    每次运行都是新进程，使用虚拟环境、项目与数据库的绝对路径。 Each run is a fresh process,
    with absolute paths to the virtualenv, the project and the database.
    """
    from zfxxgk import schedule

    try:
        when = schedule.parse_every(every)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--every") from None
    job = schedule.UpdateJob(db=db_path, registry=registry, frontier=frontier)
    click.echo(schedule.render(job, when), nl=False)
    if install is None:
        return
    if install == "auto":
        install = "systemd" if schedule.systemd_available() else "cron"
    try:
        if install == "cron":
            _log(schedule.install_cron(schedule.cron_line(job, when)))
        else:
            for line in schedule.install_systemd(schedule.systemd_units(job, when)):
                _log(line)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        _log(f"zfxxgk: 安装失败 / install failed: {e}")
        sys.exit(1)


@main.command("sample-portal")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address to bind.")
@click.option("--port", default=8700, show_default=True, type=int,
              help="第一个站点的端口，其余依次递增 / port of the first site; the others follow.")
@click.option("--registry-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写出样例门户的登记表 / write the sample portal's registry here.")
def sample_portal_command(host: str, port: int, registry_out: Path | None) -> None:
    """运行内置样例门户（每种网站系统一个站点）/ Serve the bundled sample portal on loopback.

    包括 TRS、大汉 jcms、广东 gkmlpt、通用列表、JavaScript 列表与 521 验证页等。
    One site per CMS family (TRS, Hanweb jcms, gkmlpt, generic lists), a JavaScript listing,
    a 521 cookie challenge, GBK pages, robots.txt and a spam mirror.
    """
    from zfxxgk.portal import serve_portal

    serve_portal(host, port, registry_out=registry_out, log=_log)


@main.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/demo"),
              show_default=True, help="样例数据库与原始文件的目录 / where the sample archive goes.")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="端口 / port.")
@click.option("--no-serve", is_flag=True, help="只建库不发布 / build only, do not serve.")
def demo_command(workdir: Path, host: str, port: int, no_serve: bool) -> None:
    """内置样例：启动样例门户、抓取、解析、建库并发布 / The whole pipeline on the bundled sample.

    样例门户在 127.0.0.1 上提供五份真实报告（种子）和生成的报告（两种格式年代，网页与附件）；
    抓取后解析入库，再以只读方式发布。 The sample portal serves the five real seed reports and
    generated ones (both eras, pages and attachments) on loopback; they are crawled, parsed,
    built into an archive and served read-only.
    """
    from zfxxgk.crawl import crawl_sample_portal
    from zfxxgk.ingest import ingest_captures

    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "archive.db"
    blobs = _blobs_for(db_path)
    stats = crawl_sample_portal(db_path, blobs, log=_log)
    ingest_captures(db_path, blobs, log=_log)
    if not stats.ok:
        _log("抓取有错误，详见 crawl_runs 表 / the crawl had errors: see the crawl_runs table")
    if no_serve:
        _log(f"数据库已生成 / archive built: {db_path}")
        return
    from zfxxgk.serve import serve

    _log(f"浏览 / browse: http://{host}:{port}/")
    sys.exit(serve(db_path, host=host, port=port))


@main.command("robustness")
@click.option("--only", multiple=True, type=click.Choice(["faults", "crash", "fuzz", "load"]),
              help="只跑这些部分（可重复）/ run only these parts (repeatable).")
@click.option("--seed", default=7, show_default=True, type=int, help="随机种子 / seed of every draw.")
@click.option("--fuzz-cases", default=10_000, show_default=True, type=int,
              help="每种格式的变异文档数 / mutated documents per format.")
@click.option("--slow-fuzz-cases", default=None, type=int,
              help="需 LibreOffice/OCR 的格式的变异文档数（默认同 --fuzz-cases；JPEG 一万份在 2 核上约 1.5 小时）"
                   " / per format that needs LibreOffice or OCR (default: as --fuzz-cases; 10,000 JPEGs take"
                   " ~1.5 h on two cores).")
@click.option("--format", "formats", multiple=True, help="只测这些格式 / fuzz only these formats.")
@click.option("--jobs", default=1, show_default=True, type=int, help="并行的模糊测试进程 / fuzzing processes.")
@click.option("--kill-points", default=20, show_default=True, type=int,
              help="每个阶段的 kill -9 次数 / kill -9 points per stage.")
@click.option("--reports", default=300, show_default=True, type=int,
              help="负载测试档案库的报告数（如 100000）/ reports in the archive under load (e.g. 100000).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="工作目录（默认临时目录）/ work folder (default: a temporary one).")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON.")
def robustness_command(only: tuple[str, ...], seed: int, fuzz_cases: int, slow_fuzz_cases: int | None,
                       formats: tuple[str, ...], jobs: int, kill_points: int, reports: int,
                       workdir: Path | None, as_json: bool) -> None:
    """稳健性测量：故障门户、kill -9、变异文档、负载 / Measure robustness and print the figures.

    故障注入抓取与补抓、抓取/解析/建库各阶段 kill -9、解析器模糊测试、建库时的并发读取。
    Crawls of the fault-injecting sample portal, kill -9 at seeded points of crawl, ingest and
    build, parser fuzzing, and Datasette under concurrent readers while builds write.
    """
    from zfxxgk.faults_report import STAGES, format_report, robustness_report

    fig = robustness_report(workdir=workdir, seed=seed, only=only or STAGES, fuzz_cases=fuzz_cases,
                            slow_fuzz_cases=fuzz_cases if slow_fuzz_cases is None else slow_fuzz_cases,
                            formats=formats or None, jobs=jobs,
                            kill_points=kill_points, reports=reports, log=_log)
    click.echo(json.dumps(fig.as_dict(), ensure_ascii=False, indent=1) if as_json else format_report(fig))
    if not fig.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
