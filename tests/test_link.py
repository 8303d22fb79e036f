import numpy as np
import pytest

from nlp.link import FEATURE_NAMES, Candidates, find_evidence, indicators_of, link_confidences, status_of, target_unit
from nlp.records import Indicator, quantities
from nlp.tokenize import Tokenizer
from nlp.model import load_model
from nlp.read import read_text


@pytest.mark.parametrize("text, unit, expected", [
    ("走访企业300多家次，举办培训2期", "次", ["300多家次"]),
    ("走访企业300多家次，举办培训2期", "期", ["2期"]),
    ("捐款1.5万元，资助学生20名", "万元", ["1.5万元"]),
    ("满意度达到95%以上", "%", ["95%"]),
    ("召开会议", "次", []),
])
def test_quantities(text, unit, expected):
    assert quantities(text, unit) == expected


@pytest.mark.parametrize("target, unit", [("≥2次", "次"), ("≤6万元", "万元"), ("≥95%", "%"), ("得到保护", None)])
def test_target_unit(target, unit):
    assert target_unit(Indicator("k", "指标", target=target)) == unit


@pytest.mark.parametrize("confidences, expected", [([0.9, 0.1], "supported"), ([0.3], "weak"), ([0.1], "unsupported"),
                                                   ([], "unsupported")])
def test_status_of(confidences, expected):
    assert status_of(confidences, supported=0.5, weak=0.2) == expected


def test_indicator_context_is_the_table_above():
    blocks = read_text("附件\n\n项目名称\t老工商业者困难补助\n三级指标\t指标值\t完成值\n发放人数\t14人\t14人\n\n"
                       "说明如下，经费已发放。\n\n三级指标\t指标值\t完成值\n满意率\t≥95%\t98%\n", doc_id="d")
    records = indicators_of(blocks)
    assert [r.name for r in records] == ["发放人数", "满意率"]
    assert records[0].context == "项目名称 | 老工商业者困难补助" and records[1].context == ""


PARAGRAPHS = [{"id": "a1", "doc_id": "a", "text": "组织企业结对帮扶贫困村2个，捐赠资金5万元。", "section": ""},
              {"id": "a2", "doc_id": "a", "text": "单位编制3人，在职4人。", "section": ""},
              {"id": "b1", "doc_id": "b", "text": "召开招商引资推介会，签约项目6个。", "section": ""}]
INDICATORS = [Indicator("k1", "结对帮扶贫困村", target="≥1个", doc_id="a"),
              Indicator("k2", "招商引资签约项目", target="≥5个", doc_id="b")]


def test_links_stay_inside_a_document(tiny_model):
    conf = link_confidences(PARAGRAPHS, INDICATORS, model=load_model(tiny_model))
    assert np.isnan(conf[0, 2]) and np.isnan(conf[1, 0]) and np.isnan(conf[1, 1])
    assert not np.isnan(conf[0, :2]).any() and not np.isnan(conf[1, 2])
    assert conf[0, 0] > conf[0, 1]  # the paragraph about pairing beats the staffing one


def test_find_evidence_orders_and_reports_quantities(tiny_model):
    model = load_model(tiny_model)
    model.meta["status_cutoffs"]["weak"] = 0.0  # list every link, however weak
    results = find_evidence(PARAGRAPHS, INDICATORS, model=model, top_k=5)
    assert [r["indicator"]["id"] for r in results] == ["k1", "k2"]
    for r in results:
        confs = [e["confidence"] for e in r["evidence"]]
        assert confs == sorted(confs, reverse=True)
        assert all(e["id"][0] == r["doc_id"] for e in r["evidence"])
    by_id = {e["id"]: e for e in results[0]["evidence"]}
    assert set(by_id) == {"a1", "a2"} and by_id["a1"]["quantities"] == ["2个"] and "quantities" not in by_id["a2"]


def _features(paragraph_texts, name):
    paragraphs = [{"text": t, "section": ""} for t in paragraph_texts]
    indicators = [Indicator("k", name)]
    candidates = Candidates(paragraphs, np.full((len(paragraphs), 2), 0.5), tokenizer=Tokenizer(), synonyms=[])
    X = candidates.rows(indicators[0], np.full(2, 0.5))
    return {n: X[:, k] for k, n in enumerate(FEATURE_NAMES)}


def test_gap_features_compare_with_the_best_other_candidate():
    f = _features(["组织企业开展结对帮扶", "单位编制3人", "结对帮扶贫困户"], "结对帮扶")
    v = f["name_overlap"]
    np.testing.assert_allclose(f["name_overlap_gap"], [v[j] - np.delete(v, j).max() for j in range(len(v))])
    assert f["name_overlap_gap"][1] < 0


def test_a_lone_candidate_has_no_gap():
    f = _features(["组织企业开展结对帮扶"], "结对帮扶")
    assert all(f[n][0] == 0 for n in FEATURE_NAMES if n.endswith("_gap"))


def test_a_line_restating_the_indicator_scores_as_a_restatement():
    f = _features(["开展慈善公益活动。", "组织会员企业开展慈善公益活动，向敬老院捐款3万元，资助贫困学生20名。"], "慈善公益活动")
    assert f["restatement"][0] > 2 * f["restatement"][1]


def test_names_inside_document_titles_do_not_count_as_reported_work():
    f = _features(["按照《维权服务工作经费管理办法》进行项目管理。", "为会员企业开展维权服务，调解纠纷5起。"], "维权服务")
    assert f["name_overlap"][0] > 0 and f["name_outside_titles"][0] == 0 and f["name_outside_titles"][1] > 0


def test_a_model_links_with_the_synonyms_it_was_trained_with(tiny_model, monkeypatch):
    import nlp.link

    model = load_model(tiny_model)
    assert model.meta["linker"]["synonyms"] == nlp.link.synonym_groups()
    before = link_confidences(PARAGRAPHS, INDICATORS, model=model)
    monkeypatch.setattr(nlp.link, "synonym_groups", lambda: [["捐赠", "开会"]])  # the data file edited since
    np.testing.assert_array_equal(link_confidences(PARAGRAPHS, INDICATORS, model=model), before)


def test_bm25_features_rank_the_paragraph_that_shares_the_indicator_words_first():
    f = _features(["单位编制3人，在职4人。", "组织企业开展结对帮扶，帮扶贫困村2个。", "召开会议传达精神。"], "结对帮扶贫困村")
    assert f["bm25_reciprocal_rank"].tolist() == [0.5, 1.0, 1 / 3] or f["bm25_reciprocal_rank"][1] == 1.0
    assert f["bm25_share"][1] == 1.0 and f["bm25_share_gap"][1] > 0 and f["bm25_z"][1] > 0


def test_a_text_repeated_in_a_report_takes_one_place_in_the_list(tiny_model):
    model = load_model(tiny_model)
    model.meta["status_cutoffs"]["weak"] = 0.0
    paragraphs = [{"id": "a1", "doc_id": "a", "text": "组织企业结对帮扶贫困村2个。", "section": ""},
                  {"id": "a2", "doc_id": "a", "text": "组织企业结对帮扶贫困村2个。", "section": "附件"},
                  {"id": "a3", "doc_id": "a", "text": "单位编制3人。", "section": ""}]
    (result,) = find_evidence(paragraphs, INDICATORS[:1], model=model, top_k=5)
    ids = [e["id"] for e in result["evidence"]]
    assert len(ids) == 2 and ids.count("a1") + ids.count("a2") == 1
    assert result["evidence"][0]["same_text"] == ["a2" if ids[0] == "a1" else "a1"]


def test_a_projects_indicators_keep_to_its_own_part_of_the_report():
    """Seed 003 reports each project in its own attachment: no link into another project's attachment."""
    from nlp.annotate import annotate
    from nlp.link import project_of
    from nlp.read import read_input

    blocks = read_input("corpus/seeds/003_9668f26784509488.txt")
    section = {b.id: b.section for b in blocks}
    attachment = {"老工商业者及遗孀生活困难补助": "附件3", "商会建设和企业家关怀": "附件4"}
    other = {p: {a for q, a in attachment.items() if q != p} | {"附件2"} for p in attachment}
    rows = annotate(blocks, model=load_model(), top_k=20).evidence
    checked = 0
    for row in rows:
        project = row["indicator"].get("project") or next(
            project_of(b.indicator) for b in blocks if b.kind == "indicator" and b.indicator.id == row["indicator"]["id"])
        if project in attachment:
            for link in row["evidence"]:
                assert section[link["id"]].split(" > ")[0] not in other[project], (row["indicator"], link)
                checked += 1
    assert checked > 10


def test_a_line_that_is_a_documents_title_is_not_evidence():
    """Seed 003 lists its attachments by title (…专项资金绩效评价报告); a title reports no work."""
    from nlp.annotate import annotate
    from nlp.read import read_input

    blocks = read_input("corpus/seeds/003_9668f26784509488.txt")
    titles = {b.id for b in blocks if b.kind == "paragraph" and b.text.startswith("- ") and b.text.endswith("报告")}
    assert titles
    rows = annotate(blocks, model=load_model(), top_k=10).evidence
    assert not {e["id"] for row in rows for e in row["evidence"]} & titles
