"""Unknown rows are kept as extras with a finding — never dropped silently, never a crash —
and the standard cells around them are unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import ParseError, parse
from tests.truth import flatten, load, seed_pairs

TRUTH, SOURCE = seed_pairs()[1]  # 宽城区: Word text export, one cell per line
TEXT = SOURCE.read_text(encoding="utf-8")


def _insert_after(anchor: str, block: str) -> bytes:
    i = TEXT.index(anchor)
    j = TEXT.index("\n\n", i) + 2
    return (TEXT[:j] + block + TEXT[j:]).encode("utf-8")


def test_unknown_proactive_row_becomes_extra() -> None:
    data = _insert_after("\t规范性文件\n", "\t其他主动公开文件（含以本单位名义正式签发的文件）\n\t12\n\t0\n\t12\n\n")
    report = parse(data, name="x.txt")
    assert report.extra["其他主动公开文件"] == {"本年新制作数量": 12, "本年新公开数量": 0, "对外公开总数量": 12}
    assert ("unknown_row", "proactive/其他主动公开文件") in {(f.rule, f.location) for f in report.findings}
    assert flatten(report.to_json()) == flatten(load(TRUTH))


def test_unknown_application_row_becomes_extra() -> None:
    data = _insert_after("\t二、上年结转政府信息公开申请数量\n", "\t其中：网上申请\n\t30\n\t0\n\t0\n\t0\n\t0\n\t0\n\t30\n\n")
    report = parse(data, name="x.txt")
    assert report.extra["其中：网上申请"] == {
        "自然人": 30, "商业企业": 0, "科研机构": 0, "社会公益组织": 0, "法律服务机构": 0, "其他": 0, "总计": 30
    }
    assert flatten(report.to_json()) == flatten(load(TRUTH))


_LINES = TEXT.splitlines()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(_LINES) - 1),
            st.sampled_from(["delete", "duplicate", "garble", "swap", "blank"]),
            st.text(min_size=0, max_size=12),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_reports_never_crash(edits) -> None:
    lines = list(_LINES)
    for index, op, junk in edits:
        index %= len(lines)
        if op == "delete":
            del lines[index]
        elif op == "duplicate":
            lines.insert(index, lines[index])
        elif op == "garble":
            lines[index] = "\t" + junk
        elif op == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        elif op == "blank":
            lines.insert(index, "")
        if not lines:
            lines = [junk]
    data = "\n".join(lines).encode("utf-8")
    try:
        report = parse(data, name="mutated.txt")
    except ParseError:
        return
    for cell in report.cells:
        assert cell.value is None or isinstance(cell.value, int | float)
