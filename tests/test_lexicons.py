import pytest

from pipeline.errors import PipelineError
from pipeline.lexicons import load_lexicons
from pipeline.textview import match_view, to_simplified

SPEC_FRAMEWORKS = {"IPEF", "TTC", "CPTPP", "TPP", "CHIP4", "WTO", "OTHER_FRAMEWORK"}


def test_packaged_lexicons_load_and_cover_spec_ids():
    lex = load_lexicons()
    assert SPEC_FRAMEWORKS <= set(lex.labels["framework"])
    assert "TARIFF" in lex.labels["instrument"]
    assert "友岸外包" in lex.labels["term"]


@pytest.mark.parametrize(
    "alias, label",
    [("印太经济繁荣框架", "IPEF"), ("印度—太平洋经济繁荣框架", "IPEF"), ("IPEF", "IPEF"), ("U.S.-EU TTC", "TTC"),
     ("Chip 4", "CHIP4"), ("Chip4", "CHIP4"), ("印太經濟架構", "IPEF"), ("世贸组织", "WTO")],
)
def test_alias_maps_to_id(alias, label):
    keys = {a.key: a.label for a in load_lexicons().of_kind("framework")}
    assert keys[match_view(alias)] == label


def test_term_alias_group():
    groups = {a.text: a.label for a in load_lexicons().of_kind("term")}
    assert groups["友岸化"] == groups["friend-shoring"] == "友岸外包"


def test_views_keep_length():
    text = "美國對華加徵關稅，ＩＰＥＦ與U.S.—EU TTC"
    assert len(to_simplified(text)) == len(match_view(text)) == len(text)
    assert "ipef" in match_view(text)


def _lexicon_dir(tmp_path, frameworks):
    src = load_lexicons().directory
    for name in ("labels.yaml", "instruments.yaml", "terms.yaml", "stance.yaml"):
        (tmp_path / name).write_text(open(f"{src}/{name}", encoding="utf-8").read(), encoding="utf-8")
    (tmp_path / "frameworks.yaml").write_text(frameworks, encoding="utf-8")
    return tmp_path


def test_unknown_label_id_is_an_error(tmp_path):
    d = _lexicon_dir(tmp_path, "labels:\n  IPFE: {aliases: [印太经济框架]}\n")
    with pytest.raises(PipelineError, match=r"frameworks.yaml: IPFE: unknown label id 'IPFE'"):
        load_lexicons(d)


def test_duplicate_alias_is_an_error(tmp_path):
    d = _lexicon_dir(tmp_path, "labels:\n  TPP: {aliases: [TPP]}\n  CPTPP: {aliases: [CPTPP, TPP]}\n")
    with pytest.raises(PipelineError, match=r"alias 'TPP' maps to both TPP and CPTPP"):
        load_lexicons(d)


def test_empty_alias_is_an_error(tmp_path):
    d = _lexicon_dir(tmp_path, "labels:\n  WTO: {aliases: [世贸组织, '']}\n")
    with pytest.raises(PipelineError, match=r"frameworks.yaml: WTO: empty alias"):
        load_lexicons(d)


def test_an_edited_lexicon_reaches_a_running_tagger(tmp_path):
    import shutil

    from pipeline.config import LEXICON_DIR
    from pipeline.extract.tagger import Tagger

    lexicons = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, lexicons, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    tagger = Tagger(lexicon_dir=str(lexicons))
    text = "沿海港口联盟今天成立。"
    assert tagger.tag_text(text)["frameworks"] == []
    path = lexicons / "frameworks.yaml"
    head, tail = path.read_text(encoding="utf-8").split("  OTHER_FRAMEWORK:", 1)
    path.write_text(head + "  OTHER_FRAMEWORK:" + tail.replace("aliases: [", "aliases: [沿海港口联盟, ", 1), encoding="utf-8")
    assert tagger.tag_text(text)["frameworks"] == ["OTHER_FRAMEWORK"]
