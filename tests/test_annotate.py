"""annotate() on a long document: a progress bar, and the same tags as without it."""
from nlp.annotate import annotate
from nlp.model import load_model
from nlp.records import Block


def test_a_long_document_shows_progress_and_tags_the_same(tiny_model, capsys):
    model = load_model(tiny_model)
    texts = ["组织企业结对帮扶贫困村", "召开招商引资推介会签约项目", "举办企业经营管理培训班"]
    blocks = [Block("d", f"d-{n:04d}", "paragraph", "", texts[n % 3]) for n in range(1200)]
    quiet = annotate(blocks, model=model)
    assert "paragraph" not in capsys.readouterr().err
    shown = annotate(blocks, model=model, progress=True)
    err = capsys.readouterr().err
    assert "1200/1200" in err and "paragraph" in err
    assert shown.tags == quiet.tags
