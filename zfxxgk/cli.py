"""Command line: ``zfxxgk`` — each command is a thin layer over a library function."""

from __future__ import annotations

import json
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
      zfxxgk demo                 内置样例：解析、建库、发布 / bundled sample, built and served
      zfxxgk parse 报告.html --json  解析一份报告 / parse one report
      zfxxgk build 文件夹          解析文件夹并写入 archive.db / parse a folder into archive.db
      zfxxgk serve                只读发布 archive.db / serve archive.db read-only
    """


@main.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出报告 JSON / print the report JSON (FORMAT.md).")
@click.option("--text", "with_text", is_flag=True, help="JSON 中包含全文 / include the full text in the JSON.")
def parse_command(files: tuple[Path, ...], as_json: bool, with_text: bool) -> None:
    """解析报告文件 / Parse report documents (text or HTML).

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


@main.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/demo"),
              show_default=True, help="样例文件与数据库的目录 / where the sample documents and database go.")
@click.option("--generated", default=60, show_default=True, type=int,
              help="额外生成的样例报告数 / how many generated reports to add to the seeds.")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="端口 / port.")
@click.option("--no-serve", is_flag=True, help="只建库不发布 / build only, do not serve.")
def demo_command(workdir: Path, generated: int, host: str, port: int, no_serve: bool) -> None:
    """内置样例：生成样例报告、解析、建库并发布 / Build the bundled sample archive and serve it.

    样例包括五份真实报告（种子）和生成的报告（两种格式年代、文本与 HTML）。
    The sample holds the five real seed reports plus generated ones (both eras, text and HTML).
    """
    from zfxxgk.build import build_archive
    from zfxxgk.demo import write_samples

    documents = write_samples(workdir / "documents", generated=generated, log=_log)
    db_path = workdir / "archive.db"
    build_archive(documents, db_path, log=_log)
    if no_serve:
        _log(f"数据库已生成 / archive built: {db_path}")
        return
    from zfxxgk.serve import serve

    _log(f"浏览 / browse: http://{host}:{port}/")
    sys.exit(serve(db_path, host=host, port=port))


if __name__ == "__main__":
    main()
