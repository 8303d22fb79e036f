import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"

# A small corpus written for the tests: eight paragraphs per category over eight documents.
TINY = {
    "political_guidance": ["组织非公有制经济人士开展理想信念教育", "召开党组理论学习中心组学习会传达会议精神",
                           "推进非公企业党组织组建", "举办民营企业家政治理论学习班", "推荐政协委员参政议政提交提案",
                           "开展主题教育学习研讨", "组织商会党员前往红色教育基地", "引导民营企业家坚定听党话跟党走"],
    "enterprise_services": ["走访民营企业了解困难解决问题", "举办银企对接会帮助企业融资", "聘请法律顾问为会员提供法律服务",
                            "开展惠企政策宣讲解读", "召开政企恳谈会优化营商环境", "帮助企业复工复产协调用工",
                            "举办企业经营管理培训班", "调解会员企业经济纠纷维护合法权益"],
    "poverty_alleviation": ["组织企业结对帮扶贫困村", "向贫困户捐赠物资和帮扶资金", "开展万企兴万村行动助力乡村振兴",
                            "发放老工商业者困难补助", "开展光彩事业助学活动", "组织消费扶贫购买农产品",
                            "动员企业捐款支援抗疫", "慰问困难群众送去慈善款物"],
    "investment_promotion": ["召开招商引资推介会签约项目", "联络异地商会以商招商", "引导在外企业家返乡创业回乡投资",
                             "赴外地开展招商考察洽谈项目", "跟踪招商信息落实签约项目", "举办招商引资项目签约仪式",
                             "邀请客商来县考察投资环境", "依托商会引进投资项目落地"],
    "other": ["单位编制人数和在职人员情况", "年度预算执行率和决算情况", "三公经费支出情况", "固定资产管理情况",
              "商会换届选举", "会员发展情况", "加强机关廉政建设", "绩效自评得分情况"],
}


def tiny_rows(categories=TINY):
    rows = []
    for category, texts in categories.items():
        for n, text in enumerate(texts):
            rows.append({"doc_id": f"d{n}", "id": f"{category}-{n}", "text": text, "labels": [category],
                         "kind": "paragraph", "section": ""})
    return rows


def write_corpus(folder, rows, indicators=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paragraphs.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    if indicators is not None:
        (folder / "indicators.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in indicators), encoding="utf-8")
    return folder


def tiny_indicators():
    """Two indicators per document, each supported by that document's paragraph of its topic."""
    rows = []
    for n in range(8):
        rows.append({"doc_id": f"d{n}", "id": f"d{n}-k1", "level1": "产出指标", "level2": "数量指标",
                     "name": "结对帮扶贫困村", "target": "≥1个", "actual": "2个", "evidence": [f"poverty_alleviation-{n}"]})
        rows.append({"doc_id": f"d{n}", "id": f"d{n}-k2", "level1": "产出指标", "level2": "数量指标",
                     "name": "招商引资签约项目", "target": "≥5个", "actual": "6个",
                     "evidence": [f"investment_promotion-{n}"] if n % 4 else []})
    return rows


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("tiny"), tiny_rows(), tiny_indicators())


@pytest.fixture(scope="session")
def tiny_model(tiny_corpus, tmp_path_factory):
    from nlp.train import train_model

    out = tmp_path_factory.mktemp("models") / "tiny"
    train_model(tiny_corpus, out=out)
    return out
