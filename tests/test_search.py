"""Chinese full-text search through Datasette's own ``?_search=``: for every query the set
of report ids equals what ``LIKE '%term%'`` finds in title or text (each whitespace-
separated term must occur). The archive holds the five real seeds and generated reports;
the server is the real Datasette started by ``zfxxgk.serve.datasette_args``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from zfxxgk import fts

ONE_CHAR = ["信", "区", "镇", "局", "淮", "晓", "鑫", "0", "9", "/", "（", "“", "《", "：", "a",
            "k", "Q", "%", "_"]
TWO_CHARS = ["信息", "息公", "宽城", "德惠", "街道", "欣园", "强民", "府门", "万元", "20", "06",
             "35", "qq", "QQ", "％", "年度"]
THREE_CHARS = ["信息公", "息公开", "不予公", "202", "143", "九台区", "长庆街", "网站和", "我镇未",
               "规范信", "室联系", "83."]
FOUR_PLUS = [
    "政府信息公开", "三安全一稳定", "“三安全一稳定”", "《条例》", "2022年", "2020年", "2019年度",
    "沐石河街道", "本年新收政府信息公开申请数量", "《中华人民共和国政府信息公开条例》",
    "83.82", "79245.26", "(以下简称《条例》)", "政府信息公开工作年度报告", "依申请公开",
    "宽城区政务服务和数字化建设管理局", "年我区收到", "我局通过门", "开”和“一", "所列数据统",
    "GoBack", "goback", "http", "jckc",
]
TRICKY = [
    "AND", "OR", "NOT", "NEAR", '"', '""', "*", "公开*", "(信息)", "信息 OR 公开", "-3",
    "a:b", "^信", "不存在的词语组合", "zzzz", "zz", "QQ群", "www.", ".gov.cn",
]
MULTI_TERM = ["信息 公开", "宽城 2020", "街道 复议", "德惠 83.82 万元", "信息\u3000公开", "淮 镇"]
QUERIES = ONE_CHAR + TWO_CHARS + THREE_CHARS + FOUR_PLUS + TRICKY + MULTI_TERM


def like_ids(db_path: Path, query: str) -> set[int]:
    """The oracle: ids of reports whose title or text contains every term (LIKE)."""
    terms = fts.query_terms(query)
    if not terms:
        sql, params = "SELECT id FROM reports", []
    else:
        clause = "(title LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')"
        sql = "SELECT id FROM reports WHERE " + " AND ".join([clause] * len(terms))
        params = []
        for term in terms:
            pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [pattern, pattern]
    with sqlite3.connect(db_path) as conn:
        return {r[0] for r in conn.execute(sql, params)}


def search_ids(server, query: str) -> set[int]:
    """Report ids Datasette returns for ``?_search=query`` (all pages)."""
    ids: set[int] = set()
    path, params = "/archive/reports.json", {
        "_search": query, "_col": "id", "_size": "max", "_shape": "objects", "_nofacet": "1"}
    while True:
        data = server.json(path, **params)
        ids |= {row["id"] for row in data["rows"]}
        if not data.get("next"):
            return ids
        params["_next"] = data["next"]


def test_enough_queries_of_every_kind() -> None:
    assert len(QUERIES) >= 60
    lengths = {min(len(q), 4) for q in QUERIES}
    assert lengths == {1, 2, 3, 4}


@pytest.mark.parametrize("query", QUERIES)
def test_search_equals_like(datasette_server, seed_archive, query: str) -> None:
    assert search_ids(datasette_server, query) == like_ids(seed_archive, query)


def test_queries_are_not_trivial(seed_archive) -> None:
    """The comparison means something: most queries hit some reports but not all."""
    with sqlite3.connect(seed_archive) as conn:
        total = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    sizes = [len(like_ids(seed_archive, q)) for q in QUERIES]
    assert total == 45
    assert sum(1 for s in sizes if 0 < s < total) >= 45
    assert sum(1 for s in sizes if s == 0) >= 3


def test_word_boundary_substring_is_found(datasette_server, seed_archive) -> None:
    """信息公 sits across the words 信息/公开: word segmentation would miss it."""
    assert search_ids(datasette_server, "信息公") == like_ids(seed_archive, "信息公") != set()


def test_seed_queries_find_the_right_report(datasette_server) -> None:
    rows = datasette_server.json("/archive/reports.json", _search="宽城区政务服务和数字化建设管理局",
                                 _shape="array", _col="document_key")
    assert [r["document_key"] for r in rows] == ["seeds/001_fc3b1788af86ec1f.txt"]
    rows = datasette_server.json("/archive/reports.json", _search="沐石河", _shape="array",
                                 _col="document_key")
    assert [r["document_key"] for r in rows] == ["seeds/000_f2ccba1aa56a8eac.txt"]


def test_ascii_search_ignores_case_like_like(datasette_server) -> None:
    assert search_ids(datasette_server, "qq") == search_ids(datasette_server, "QQ")


def test_empty_search_matches_everything(datasette_server, seed_archive) -> None:
    assert search_ids(datasette_server, "") == like_ids(seed_archive, "") != set()
    assert search_ids(datasette_server, "   ") == like_ids(seed_archive, "")


def test_search_box_page_shows_the_matches(datasette_server) -> None:
    status, body = datasette_server.get("/archive/reports", _search="三安全一稳定")
    assert status == 200
    page = body.decode()
    assert 'name="_search"' in page
    assert "三安全一稳定" in page
    assert "seeds/001_fc3b1788af86ec1f.txt" in page


def test_escape_fts_is_the_project_transform(datasette_server) -> None:
    rows = datasette_server.json("/archive.json", sql="select escape_fts('信息公') as m",
                                 _shape="array")
    assert rows == [{"m": fts.to_match("信息公")}]
    assert rows[0]["m"] == '"4fe1606f516c"'


# -- the transform itself (pure) -------------------------------------------------------

def _naive_grams(text: str, k: int) -> list[str]:
    """Runs of k UTF-16 code units as hex, one at a time (the independent reading)."""
    data = text.encode("utf-16-be", "surrogatepass")
    units = [data[i:i + 2].hex() for i in range(0, len(data), 2)]
    return ["".join(units[i:i + k]) for i in range(len(units) - k + 1)]


def test_index_columns_of_a_short_text() -> None:
    chars, bigrams, trigrams = fts.index_columns("信息 A")
    assert chars == "zz 0061 4fe1 606f"
    assert bigrams == "4fe1606f 606f0020 00200061"
    assert trigrams == "4fe1606f0020 606f00200061"


@pytest.mark.parametrize("text", ["", "信", "信息", "政府信息公开 工作\n年度报告 abc", "𠀀字x𠀁"])
def test_index_columns_are_every_run_of_units(text: str) -> None:
    _, bigrams, trigrams = fts.index_columns(text)
    assert bigrams.split() == _naive_grams(text, 2)
    assert trigrams.split() == _naive_grams(text, 3)


def test_terms_by_length() -> None:
    assert fts.to_match("信") == '"4fe1"'
    assert fts.to_match("信息") == '"4fe1606f"'
    assert fts.to_match("信息公开") == '"4fe1606f516c 606f516c5f00"'  # trigrams, in order
    assert fts.to_match("信息公开", trigrams=False) == '"4fe1606f 606f516c 516c5f00"'
    assert fts.to_match("信息 公开") == '"4fe1606f" AND "516c5f00"'


def test_non_bmp_characters_match_as_pairs() -> None:
    text = "𠀀字"
    assert fts.term_match("𠀀") == '"d840dc00"'
    assert "d840dc00" in fts.index_columns(text)[1].split()
    assert fts.term_match(text) == '"d840dc005b57"'
    assert "d840dc005b57" in fts.index_columns(text)[2].split()


@pytest.mark.parametrize(("text", "query", "expected"), [
    ("政府信息公开工作年度报告", "信息公开", "…信息公开…"),
    ("政府信息公开工作年度报告", "不存在", "政府信息…"),
])
def test_snippet_window(text: str, query: str, expected: str) -> None:
    assert fts.snippet(text, query, 4) == expected


def test_snippet_marks_every_term() -> None:
    text = "本机关2020年收到QQ申请，2021年无。"
    got = fts.snippet(text, "qq 年", 100, start="[", end="]")
    assert got == "本机关2020[年]收到[QQ]申请，2021[年]无。"


# -- archives indexed before the trigrams column ---------------------------------------

LONGER = ["信息公", "政府信息公开", "三安全一稳定", "2022年", "宽城区政务服务和数字化建设管理局", "信息 公开"]


def _old_index(db_path: Path) -> None:
    """Turn an archive's search index back into the two columns it had before trigrams."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE reports_fts")
        conn.execute("CREATE VIRTUAL TABLE reports_fts USING fts5(chars, bigrams, content='', tokenize='unicode61')")
        for rowid, title, text in conn.execute("SELECT id, title, text FROM reports").fetchall():
            chars, bigrams, _ = fts.index_columns(fts.document_text(title, text))
            conn.execute("INSERT INTO reports_fts (rowid, chars, bigrams) VALUES (?, ?, ?)", (rowid, chars, bigrams))


def test_older_index_is_searched_as_it_was_made(seed_archive, tmp_path) -> None:
    from tests.conftest import start_datasette, stop_datasette

    old = tmp_path / "archive.db"
    old.write_bytes(seed_archive.read_bytes())
    _old_index(old)
    server = start_datasette(old)
    try:
        for query in LONGER:
            assert search_ids(server, query) == like_ids(old, query) != set(), query
    finally:
        stop_datasette(server)


def test_older_index_is_made_again_when_the_archive_is_opened(seed_archive, tmp_path) -> None:
    from zfxxgk import db as archive

    old = tmp_path / "archive.db"
    old.write_bytes(seed_archive.read_bytes())
    _old_index(old)
    archive.connect(old).close()
    with sqlite3.connect(old) as conn:
        columns = [r[1] for r in conn.execute("SELECT * FROM pragma_table_info('reports_fts')")]
        assert columns == ["chars", "bigrams", "trigrams"]
        for query in LONGER:
            found = {r[0] for r in conn.execute(
                "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?", [fts.to_match(query)])}
            assert found == like_ids(old, query) != set(), query
