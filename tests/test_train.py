import json
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.train import (
    TRUSTED_TYPES, CombinedTagger, ModelError, ModelTagger, TrainError, TrainSettings, load_model,
    predict_store, tokenize, train_model,
)
from pipeline.train.artefact import load_skops, sha256
from pipeline.train.data import load_examples
from tests.train_fixtures import DATA, build_store

SETTINGS = TrainSettings(min_df=1, folds=2, min_label_count=2, stance_labels="rules")
PROBES = ["美国推动对华脱钩。", "中美经贸相互依存。", "本文分三个部分。", "美国对中国加征关税。"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("train")
    store = build_store(tmp / "s.duckdb")
    result = train_model(store, tmp / "models" / "tiny", tasks=("stance", "instruments"), settings=SETTINGS, command="pytest")
    store.close()
    return result, tmp / "s.duckdb"


def test_tokenizer_is_module_level_and_keeps_lexicon_terms():
    assert tokenize("美国推动友岸外包，减少对华依赖。")[:3] == ["美国", "推动", "友岸外包"]
    assert "，" not in tokenize("美国推动友岸外包，减少对华依赖。")


def test_training_gives_a_model_that_learns_the_labels(trained):
    result, _ = trained
    model = load_model(result.path)
    pipe = model.estimators["stance"]
    words = pipe.named_steps["features"].transformer_list[0][1]
    assert words.tokenizer is tokenize and words.token_pattern is None
    stance = pipe.predict(["美国推动对华脱钩，减少对华依赖。", "本文梳理国际经贸规则的演变。"])
    assert list(stance) == ["DECOUPLING", "NONE"]
    assert set(model.labels("stance")) == {"DECOUPLING", "RECOUPLING", "MIXED", "NONE"}
    assert model.labels("instruments") == ["EXPORT_CONTROL", "TARIFF"]


def test_save_load_round_trip_gives_identical_predictions(trained):
    result, _ = trained
    first, second = load_model(result.path), load_model(result.path)
    for task in ("stance", "instruments"):
        a = first.estimators[task].predict_proba(PROBES)
        b = second.estimators[task].predict_proba(PROBES)
        assert np.array_equal(a, b)
    assert ModelTagger(result.path).predict(PROBES) == ModelTagger(result.path).predict(PROBES)


def test_card_contents(trained):
    result, _ = trained
    card = json.loads((result.path / "model.json").read_text(encoding="utf-8"))
    assert card["name"] == "tiny" and card["command"] == "pytest"
    assert {"python", "scikit-learn", "skops", "jieba", "numpy"} <= set(card["versions"])
    assert "git_revision" in card and card["created"].endswith("+00:00")
    assert card["settings"]["classifier"] == "svm"
    stance = card["tasks"]["stance"]
    assert stance["kind"] == "single" and stance["label_source"].startswith("rules")
    assert stance["data"]["documents"] == 4 and stance["data"]["sentences"] == 36
    assert stance["data"]["label_counts"]["MIXED"] == 3
    metrics = stance["metrics"]["model_vs_training_labels"]
    assert metrics["folds"] == 2 and "macro_f1" in metrics["summary"]
    assert set(metrics["per_class"]["DECOUPLING"]) == {"precision", "recall", "f1", "support"}
    assert len(metrics["confusion"]["matrix"]) == len(metrics["confusion"]["labels"])
    assert card["tasks"]["instruments"]["kind"] == "multi"
    assert stance["sha256"] == sha256(result.path / "stance.skops")
    markdown = (result.path / "README.md").read_text(encoding="utf-8")
    assert "# Model card: tiny" in markdown and "Confusion matrix" in markdown and "scikit-learn" in markdown


def test_changed_model_file_is_refused(trained, tmp_path):
    result, _ = trained
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in result.path.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    data = bytearray((copy / "stance.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "stance.skops").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256 differs from the one in model.json"):
        load_model(copy)


def _swap_function(node, module, name):
    """Point every FunctionNode of the skops schema at ``module.name``."""
    if isinstance(node, dict):
        if node.get("__loader__") == "FunctionNode":
            node["__module__"], node["__class__"] = module, name
        for value in node.values():
            _swap_function(value, module, name)
    elif isinstance(node, list):
        for value in node:
            _swap_function(value, module, name)


def test_untrusted_type_is_refused_even_with_a_matching_hash(trained, tmp_path):
    result, _ = trained
    with zipfile.ZipFile(result.path / "stance.skops") as z:
        files = {name: z.read(name) for name in z.namelist()}
    schema = json.loads(files["schema.json"])
    _swap_function(schema, "os", "system")
    files["schema.json"] = json.dumps(schema).encode()
    target = tmp_path / "evil.skops"
    with zipfile.ZipFile(target, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    with pytest.raises(ModelError, match="refusing to load untrusted types os.system"):
        load_skops(target)


def test_not_a_skops_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "stance.skops"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ModelError, match="not a readable skops model file"):
        load_skops(bad)
    assert "pipeline.train.features.tokenize" in TRUSTED_TYPES


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="no model directory here"):
        load_model(tmp_path / "nope")


def test_gold_replaces_rule_labels_and_adds_missing_sentences(tmp_path):
    store = build_store(tmp_path / "s.duckdb")
    plain = load_examples(store, "stance", SETTINGS)
    with_gold = load_examples(store, "stance", SETTINGS, gold=[
        {"doc": "doc0.txt", "text": "本文梳理国际经贸规则的演变。", "stance": "MIXED", "instruments": []},
        {"doc": "doc1.txt", "text": "美国试图降低对中国的供应链依赖。", "stance": "DECOUPLING", "instruments": []},
    ])
    assert with_gold.summary()["sentences"] == plain.summary()["sentences"] + 1
    assert with_gold.summary()["gold_sentences"] == 2
    assert len(with_gold) == len(plain) - 1 + 2 * SETTINGS.gold_weight  # gold rows count gold_weight times
    i = with_gold.texts.index("本文梳理国际经贸规则的演变。")
    assert with_gold.labels[i] == "MIXED" and with_gold.rule[i] == "NONE" and with_gold.gold[i]


def test_training_with_gold_scores_held_out_documents(tmp_path):
    store = build_store(tmp_path / "s.duckdb")
    result = train_model(store, tmp_path / "m", tasks=("stance",), gold_dir=DATA / "gold", settings=SETTINGS)
    metrics = result.card["tasks"]["stance"]["metrics"]
    assert {"gold_model", "gold_rules", "gold_combine"} <= set(metrics)
    assert metrics["gold_model"]["scored"] == 3
    assert "gold labels from" in result.card["tasks"]["stance"]["label_source"]


def test_claims_task_uses_the_claim_detector(tmp_path):
    store = build_store(tmp_path / "s.duckdb")
    store.append("sentences", [{"doc_id": "x", "idx": i, "section": "body", "paragraph": 0, "start": 0, "end": 1,
                                "text": t, "simplified": t, "n_han": 1} for i, t in enumerate(["增长了25%。", "据统计，出口下降。"])])
    examples = load_examples(store, "claims", SETTINGS)
    assert any(labels for labels in examples.labels)


def test_unknown_task_and_empty_store_are_clear_errors(tmp_path):
    from pipeline.store import Store

    store = Store.open(tmp_path / "empty.duckdb")
    with pytest.raises(TrainError, match="unknown task 'topic'"):
        train_model(store, tmp_path / "m", tasks=("topic",))
    with pytest.raises(TrainError, match="no labelled sentences to train on"):
        train_model(store, tmp_path / "m", tasks=("stance",), settings=SETTINGS)
    with pytest.raises(TrainError, match="no human stance labels"):
        train_model(store, tmp_path / "m", tasks=("stance",), labelset=tmp_path / "none.jsonl")
    with pytest.raises(TrainError, match="unknown classifier 'tree'"):
        train_model(store, tmp_path / "m", settings=TrainSettings(classifier="tree"))


def test_combine_uses_rules_where_a_cue_fires(trained):
    result, _ = trained
    tagger = CombinedTagger(result.path)
    cue, no_cue = tagger.predict(["美国推动对华脱钩。", "本文梳理国际经贸规则的演变。"])
    assert cue["rules"]["stance"] == "DECOUPLING" and cue["stance"] == "DECOUPLING" and cue["stance_source"] == "rules"
    assert no_cue["stance_source"] == "model:tiny" and set(no_cue["stance_proba"]) == {"DECOUPLING", "RECOUPLING", "MIXED", "NONE"}
    assert "frameworks" in cue and "evidence" in cue


def test_predict_store_adds_model_rows_once(trained, tmp_path):
    result, db = trained
    from pipeline.store import Store

    copy = tmp_path / "s.duckdb"
    copy.write_bytes(db.read_bytes())
    with Store.open(copy) as store:
        first = predict_store(store, result.path)
        again = predict_store(store, result.path)
        rows = store.query("SELECT label, source, score, evidence FROM stance WHERE source = 'model:tiny'")
    assert first == again and sum(first.values()) == 36 == len(rows)
    assert all(0 < r["score"] <= 1 for r in rows)
    assert json.loads(rows[0]["evidence"])[0]["kind"] == "model"


def test_cli_train_tag_and_predict(trained, tmp_path):
    result, db = trained
    runner = CliRunner()
    copy = tmp_path / "s.duckdb"
    copy.write_bytes(db.read_bytes())
    out = tmp_path / "cli-model"
    done = runner.invoke(cli, ["train", "--db", str(copy), "--task", "stance", "--out", str(out), "--folds", "2", "--labels", "rules"])
    assert done.exit_code == 0, done.output
    assert "stance / model_vs_training_labels" in done.output and "confusion" in done.output
    assert (out / "stance.skops").exists() and (out / "model.json").exists()
    tagged = runner.invoke(cli, ["tag", "--model", str(result.path)], input='{"text": "美国推动对华脱钩。"}\n')
    assert tagged.exit_code == 0, tagged.output
    row = json.loads(tagged.output)
    assert row["model"] == "tiny" and "stance_proba" in row and "instruments_proba" in row
    assert "frameworks" in row and [e["cue"] for e in row["evidence"] if e["kind"] == "stance"]  # kept with --model (issue 15)
    both = runner.invoke(cli, ["tag", "--model", str(result.path), "--combine"], input='{"text": "美国对华加征关税。"}\n')
    spans = [(e["kind"], e["label"], e["start"], e["end"]) for e in json.loads(both.output)["evidence"]]
    assert len(spans) == len(set(spans))  # a cue is listed once per label
    combined = runner.invoke(cli, ["tag", "--model", str(result.path), "--combine"], input='{"text": "本文分三个部分。"}\n')
    assert json.loads(combined.output)["stance_source"] == "model:tiny"  # no cue fires: the model decides
    cued = runner.invoke(cli, ["tag", "--model", str(result.path), "--combine"], input='{"text": "美国推动对华脱钩。"}\n')
    assert json.loads(cued.output)["stance_source"] == "rules"
    refused = runner.invoke(cli, ["tag", "--combine"], input='{"text": "x"}\n')
    assert refused.exit_code == 1 and "Error: --combine needs a model: add --model models/NAME" in refused.output
    missing = runner.invoke(cli, ["tag", "--model", str(tmp_path / "none")], input='{"text": "x"}\n')
    assert missing.exit_code == 1 and "no model directory here" in missing.output
    stored = runner.invoke(cli, ["predict", "--db", str(copy), "--model", str(result.path)])
    assert stored.exit_code == 0 and stored.output.startswith("36 sentences labelled")


def _labelset(tmp_path):
    from tests.train_fixtures import labelled_rows

    rows = labelled_rows()
    path = tmp_path / "labelset.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for r in rows:
            handle.write(json.dumps({"doc": r["doc"], "text": r["text"], "stance": r["stance"],
                                     "split": "test" if r["doc"] == "doc3.txt" else "train"}, ensure_ascii=False) + "\n")
    return path


HUMAN = TrainSettings(min_df=1, folds=2, min_label_count=2, bootstrap=20)


def test_human_stance_uses_rule_votes_and_scores_the_test_split(tmp_path):
    store = build_store(tmp_path / "s.duckdb")
    result = train_model(store, tmp_path / "m", tasks=("stance",), settings=HUMAN, labelset=_labelset(tmp_path), gold_dir=DATA / "gold")
    stance = result.card["tasks"]["stance"]
    assert stance["label_source"].startswith("human labels")
    assert {"cv_rules", "cv_model", "cv_combine", "test_rules", "test_combine", "gold_rules", "gold_combine"} <= set(stance["metrics"])
    assert 0 <= stance["combine"]["threshold"] <= 1.01 and "override@1.01" in stance["combine"]["macro_f1_by_threshold"]
    ci = stance["metrics"]["cv_model"]["per_class"]["NONE"]["interval95"]["f1"]
    assert ci[0] <= stance["metrics"]["cv_model"]["per_class"]["NONE"]["f1"] <= ci[1] or ci[0] == ci[1]
    names = [name for name, _ in load_model(result.path).estimators["stance"].named_steps["features"].transformer_list]
    assert names == ["words", "chars", "rules"]
    assert "pipeline.train.features.RuleFeatures" in TRUSTED_TYPES
    markdown = (result.path / "README.md").read_text(encoding="utf-8")
    assert "combine (`tag --combine`)" in markdown and "95% interval" in markdown


def test_rule_votes_are_features():
    from pipeline.train.features import rule_feature_dict

    features = rule_feature_dict("美国对中国商品加征关税。")
    assert features["vote:measure_on_china"] == 1.0 and features["china_target"] == 1.0 and features["rules:DECOUPLING"] == 1.0
    assert "vote:measure_on_china" not in rule_feature_dict("各国相互加征关税。")


def test_training_on_a_store_with_200_new_human_labels_changes_the_model(tmp_path):
    from pipeline.train.annotate import add_label

    store = build_store(tmp_path / "s.duckdb")
    labelset = _labelset(tmp_path)
    before = train_model(store, tmp_path / "before", tasks=("stance",), settings=HUMAN, labelset=labelset, evaluate=False)
    probes = ["第七批清单的商品将被征收新税。", "两国企业签署了一批新订单。"]
    for i in range(100):
        add_label(store, doc=f"mine{i % 10}.txt", sentence=i, text=f"第{i}批清单的商品将被征收新税。", task="stance",
                  label="DECOUPLING", annotator="me", source="test")
        add_label(store, doc=f"mine{i % 10}.txt", sentence=100 + i, text=f"两国企业签署了第{i}批新订单。", task="stance",
                  label="RECOUPLING", annotator="me", source="test")
    after = train_model(store, tmp_path / "after", tasks=("stance",), settings=HUMAN, labelset=labelset, evaluate=False)
    assert after.card["tasks"]["stance"]["data"]["sources"] == {"labelset": 28, "store": 200}
    old = load_model(before.path).estimators["stance"].predict(probes)
    new = load_model(after.path).estimators["stance"].predict(probes)
    assert list(new) == ["DECOUPLING", "RECOUPLING"] and list(old) != list(new)
def test_too_little_data_says_what_is_missing(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli
    from pipeline.store import Store as _Store

    empty = tmp_path / "empty.duckdb"
    _Store.open(empty).close()
    result = CliRunner().invoke(cli, ["train", "--db", str(empty), "--labels", "rules", "--out", str(tmp_path / "m"), "--no-eval"])
    assert result.exit_code == 1 and "no labelled sentences" in result.stderr and "Traceback" not in result.output
    one = tmp_path / "one.duckdb"
    store = build_store(one)
    store.con.execute("UPDATE stance SET label = 'NONE'")
    store.close()
    result = CliRunner().invoke(cli, ["train", "--db", str(one), "--task", "stance", "--labels", "rules", "--out", str(tmp_path / "m"), "--no-eval"])
    assert result.exit_code == 1 and "one class only (NONE)" in result.stderr
    assert not (tmp_path / "m").exists()
