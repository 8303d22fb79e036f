import pickle

import jieba
import pytest

from nlp.tokenize import Tokenizer, to_simplified
from nlp.vocabulary import data_lines


@pytest.fixture(scope="module")
def tok():
    return Tokenizer()


@pytest.mark.parametrize("text, word", [
    ("参与万企兴万村行动", "万企兴万村"),
    ("创建四好商会", "四好商会"),
    ("促进两个健康", "两个健康"),
    ("做好以商招商工作", "以商招商"),
    ("非公有制经济人士理想信念教育", "非公有制经济人士"),
])
def test_domain_words_are_single_tokens(tok, text, word):
    assert word in tok(text)


def test_stop_words_punctuation_and_numbers(tok):
    tokens = tok("召开了3次会议，和企业座谈。")
    assert "了" not in tokens and "和" not in tokens and "，" not in tokens
    assert tokens.count("<num>") == 1


def test_own_jieba_instance_leaves_the_global_one_alone(tok):
    tok("万企兴万村")
    assert tok.jieba is not jieba.dt
    assert "万企兴万村" not in jieba.dt.FREQ


def test_pickle_keeps_the_dictionary():
    custom = Tokenizer(words=["同心会客厅"], stop_words=[])
    again = pickle.loads(pickle.dumps(custom))
    assert again.words == ["同心会客厅"]
    assert again("建成同心会客厅") == custom("建成同心会客厅")
    assert "同心会客厅" in again("建成同心会客厅")


def test_default_dictionary_is_shipped():
    assert "工商联" in data_lines("userdict.txt")


@pytest.mark.parametrize("text, expected", [
    ("工商聯組織會員企業", "工商联组织会员企业"),
    ("２０２０年ＡＢ", "2020年AB"),
    ("，。（）：", "，。（）：")  # Chinese punctuation stays full-width
])
def test_to_simplified(text, expected):
    assert to_simplified(text) == expected


def test_remembering_gives_the_tokens_of_every_text_as_without(tok):
    from conftest import SEEDS

    texts = [line for seed in sorted(SEEDS.glob("*.txt")) for line in seed.read_text(encoding="utf-8").splitlines()]
    texts += ["2020年 部门整体 ≥95%", "召开会议3次 召开会议3次", "abc-12.5%万元", " 　", ""]
    alone = [tok(to_simplified(t)) for t in texts]
    with tok.remembering():
        twice = [[tok(to_simplified(t)) for t in texts] for _ in range(2)]
    assert twice[0] == alone and twice[1] == alone
    assert tok._memo is None
