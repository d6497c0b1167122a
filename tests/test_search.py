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
    assert rows[0]["m"] == '"4fe1606f 606f516c"'


# -- the transform itself (pure) -------------------------------------------------------

def test_index_columns_of_a_short_text() -> None:
    chars, bigrams = fts.index_columns("信息 A")
    assert chars == "zz 0061 4fe1 606f"
    assert bigrams == "4fe1606f 606f0020 00200061"


def test_non_bmp_characters_match_as_pairs() -> None:
    text = "𠀀字"
    assert fts.term_match("𠀀") == '"d840dc00"'
    assert "d840dc00" in fts.index_columns(text)[1].split()


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
