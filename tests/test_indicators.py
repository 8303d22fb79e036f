"""Indicator rows: gold rows of the seeds, and each table shape on small cases.

Run as a script, it prints the share of each seed's gold indicator rows that
the reader recovers: ``python tests/test_indicators.py``.
"""
import json
import re
from pathlib import Path

import pytest

from nlp.indicators import Row, from_flat_lines, from_grid, from_tab_lines, is_flat_header
from nlp.read import read_report

SEEDS = Path(__file__).resolve().parents[1] / "corpus" / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "read"
STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def _same(a, b):
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)


def load_gold(stem):
    """The hand-written indicator rows of a seed."""
    with open(DATA / f"{stem}.indicators.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def match_gold(found, gold):
    """Pair each gold row with an unused recovered indicator of the same name, target and actual.

    Returns
    -------
    list of (dict, dict or None)
    """
    left = list(found)
    pairs = []
    for row in gold:
        hit = next(
            (ind for ind in left if all(_same(ind[k], row[k]) for k in ("name", "target", "actual"))),
            None,
        )
        if hit is not None:
            left.remove(hit)
        pairs.append((row, hit))
    return pairs


def recovered_share(stem):
    """Share of the seed's gold rows recovered with the right name, target and actual."""
    found = [b.indicator.table_fields() for b in read_report(SEEDS / f"{stem}.txt") if b.kind == "indicator"]
    pairs = match_gold(found, load_gold(stem))
    return sum(hit is not None for _, hit in pairs) / len(pairs), len(pairs)


@pytest.mark.parametrize(
    "stem, share",
    [
        ("000_fd760f674145a6ef", 1.0),  # flattened PDF table
        ("001_4aaa0c80d4c4e163", 1.0),  # scoring table 评价指标 / 自评得分
        ("002_6a7ee6d8afefd441", 1.0),  # criteria table, one cell a line
        ("003_9668f26784509488", 1.0),  # four tab-separated 项目支出绩效目标自评表
        ("004_657db78fa8902e38", 1.0),  # wide table, one project a row
    ],
)
def test_gold_rows_recovered(stem, share):
    assert recovered_share(stem)[0] == pytest.approx(share)


@pytest.mark.parametrize("stem", STEMS)
def test_gold_levels_and_scores(stem):
    found = [b.indicator.table_fields() for b in read_report(SEEDS / f"{stem}.txt") if b.kind == "indicator"]
    for row, hit in match_gold(found, load_gold(stem)):
        assert hit is not None, row["name"]
        assert (hit["level1"], hit["level2"]) == (row["level1"], row["level2"]), row["name"]
        assert (hit.get("points"), hit.get("score")) == (row.get("points"), row.get("score")), row["name"]


@pytest.mark.parametrize("stem", STEMS)
def test_no_indicator_beyond_gold(stem):
    found = [b for b in read_report(SEEDS / f"{stem}.txt") if b.kind == "indicator"]
    assert len(found) == len(load_gold(stem))


HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "全年完成值"]


@pytest.mark.parametrize(
    "rows, expected",
    [
        # carried-down levels
        (
            [HEADER, ["产出指标", "数量指标", "走访企业", "≥20家", "32家"], ["", "质量指标", "报告采用率", "80%", "90%"]],
            [("产出指标", "数量指标", "走访企业", "≥20家", "32家"), ("产出指标", "质量指标", "报告采用率", "80%", "90%")],
        ),
        # a row shifted right: its level label sits in the name column
        (
            [HEADER, ["", "", "", "满意度指标", "服务对象满意度指标", "满意率", "≥95%", "100%"]],
            [("满意度指标", "服务对象满意度指标", "满意率", "≥95%", "100%")],
        ),
        # label cells cut in two over two rows
        (
            [HEADER, ["效", "社会", "帮扶成效", "长期", "100%"], ["益 指 标", "效益 指标", "", "", ""]],
            [("效益指标", "社会效益指标", "帮扶成效", "长期", "100%")],
        ),
        # rows without a name or a value are not indicators
        ([HEADER, ["效益指标", "经济效益指标", "", "", ""], ["合计", "", "", "", ""]], []),
    ],
)
def test_grid_rows(rows, expected):
    got = [
        tuple(r.indicator[k] for k in ("level1", "level2", "name", "target", "actual"))
        for r in from_grid(rows)
        if r.kind == "indicator"
    ]
    assert got == expected


def test_scoring_table_groups_and_scores():
    rows = [
        ["评价指标", "评级 分值", "自评 得分"],
        ["一、产出", "80", "74"],
        ["1. 开展主题教育", "10", "9"],
        ["综合绩效", "100", "93"],
    ]
    out = from_grid(rows)
    assert [r.kind for r in out] == ["table_row", "table_row", "indicator", "table_row"]
    assert out[2].indicator == {"level1": "产出", "level2": "", "name": "开展主题教育", "target": "", "actual": "", "points": "10",
                                "score": "9"}


def test_cell_per_line_table_keeps_score_last():
    lines = [
        "\t一级指标", "\t二级指标", "\t三级", "指标", "\t评价标准", "\t得分", "",
        "\t投入", "\t预算配置", "\t在职人员控制率", "\t以100%为标准，", "每超一点扣0.5分。", "\t4", "",
        "\t", "\t", "\t社会效益", "\t　3", "",
    ]
    out = [r.indicator for r in from_tab_lines(lines) if r.kind == "indicator"]
    assert out == [
        {"level1": "投入", "level2": "预算配置", "name": "在职人员控制率", "target": "", "actual": "", "score": "4"},
        {"level1": "投入", "level2": "预算配置", "name": "社会效益", "target": "", "actual": "", "score": "3"},
    ]


WIDE = [
    ["序号", "项目名称", "产出目标", "", "", "", "满意度指标", "", "存在的问题"],
    ["", "", "数量指标", "", "生态效益指标", "", "服务对象满意度指标", "", ""],
    ["", "", "年度指标内容", "完成情况", "年度指标内容", "完成情况", "年度指标内容", "完成情况", ""],
]


def test_wide_table_one_indicator_per_filled_pair():
    rows = WIDE + [["1", "党员教育", "培训≥2次", "培训3次", "不适用", "不适用", "满意度", "95%", "无"]]
    out = from_grid(rows)
    assert [r.kind for r in out] == ["table_row"] * 4 + ["indicator"] * 2
    assert out[3].text == "1 | 党员教育 | 无"
    assert out[4].indicator == {"level1": "产出指标", "level2": "数量指标", "name": "党员教育", "target": "培训≥2次", "actual": "培训3次"}
    assert out[5].indicator["level2"] == "服务对象满意度指标"


def test_wide_table_puts_back_dropped_cells():
    # The blank ecological pair was dropped and its two cells moved to the end.
    rows = WIDE + [["1", "党员教育", "培训≥2次", "培训3次", "党员满意度", "95%", "无", "", ""]]
    got = [(r.indicator["level2"], r.indicator["target"], r.indicator["actual"]) for r in from_grid(rows) if r.indicator]
    assert got == [("数量指标", "培训≥2次", "培训3次"), ("服务对象满意度指标", "党员满意度", "95%")]


FLAT = [
    "一级指",
    "标",
    "二级指标 三级指标 目标值 完成值 分值 得分",
    "产出指",
    "标",
    "数量指标",
    "部门整体 走访企业不少于",
    "20 家",
    "100% 15 15",
    "页末续上",
    "满意度 服务对象 部门整体 服务对象 98% 10 9",
    "指标 满意度指",
    "标",
    "满意度达到 90%",
    "总分 25 24",
]


def test_flat_table():
    out = from_flat_lines(FLAT)
    assert out[0] == Row("table_row", "一级指标 | 二级指标 | 三级指标 | 目标值 | 完成值 | 分值 | 得分")
    assert [r.indicator for r in out if r.indicator] == [
        {"level1": "产出指标", "level2": "数量指标", "name": "部门整体", "target": "走访企业不少于20家页末续上", "actual": "100%", "points": "15", "score": "15"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "部门整体", "target": "服务对象满意度达到90%", "actual": "98%", "points": "10", "score": "9"},
    ]
    assert out[-1].text == "总分 | 25 | 24"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("二级指标 三级指标 目标值 完成值 分值 得分 未完成原因 改进措施", True),
        ("一级指标\t二级指标\t三级指标\t指标值", False),
        ("二级指标和三级指标的目标值", False),
    ],
)
def test_is_flat_header(line, expected):
    assert is_flat_header(line) is expected


if __name__ == "__main__":
    print(f"{'seed':<24}{'recovered':>12}{'share':>8}")
    for stem in STEMS:
        share, total = recovered_share(stem)
        print(f"{stem:<24}{f'{round(share * total)}/{total}':>12}{share:>8.0%}")
