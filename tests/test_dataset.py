import pyarrow.parquet as pq
import pytest

from pipeline.export.dataset import export_dataset, read_table
from pipeline.errors import StoreError
from tests.train_fixtures import build_store


@pytest.fixture
def exported(tmp_path):
    store = build_store(tmp_path / "s.duckdb")
    written = export_dataset(store, tmp_path / "out")
    yield store, written, tmp_path / "out"
    store.close()


def test_every_table_is_a_year_partitioned_parquet_dataset(exported):
    _, written, out = exported
    assert {"documents", "sentences", "mentions", "stance", "notes", "texts", "card"} <= set(written)
    years = sorted(p.name for p in (out / "sentences.parquet").iterdir())
    assert years == ["year_part=0", "year_part=2019", "year_part=2020", "year_part=2021"]
    assert pq.read_table(out / "sentences.parquet").num_rows == 36


def test_sentences_carry_tokens_spelled_as_in_the_text(exported):
    _, _, out = exported
    rows = read_table(out, "sentences").to_pylist()
    row = next(r for r in rows if r["text"] == "美国推动对华脱钩，减少对华依赖。")
    assert "".join(row["tokens"]) == row["text"]
    assert "减少对华依赖" in row["tokens"] and row["source"] == "tests" and row["year"] == 2019
    assert {r["year"] for r in rows} == {2019, 2020, 2021, None}


def test_raw_text_lives_apart_from_documents(exported):
    _, _, out = exported
    documents = read_table(out, "documents")
    assert "raw_text" not in documents.column_names and documents.num_rows == 4
    texts = read_table(out, "texts").to_pylist()
    assert all(t["raw_text"] for t in texts) and len(texts) == 4


def test_data_card_is_generated_from_the_data(exported):
    _, written, _ = exported
    card = written["card"].read_text(encoding="utf-8")
    assert "4 documents, years 2019–2021 (1 of unknown year)" in card
    assert "| sentences | 36 | `sentences.parquet/` |" in card
    assert "| rules | MIXED | 3 |" in card
    assert "- `tokens`: jieba words" in card and "## How it was made" in card


def test_re_export_replaces_the_old_files(exported):
    store, _, out = exported
    export_dataset(store, out)
    assert pq.read_table(out / "stance.parquet").num_rows == 36


def test_partition_by_source_and_bad_key(exported, tmp_path):
    store, _, _ = exported
    export_dataset(store, tmp_path / "by-source", partition_by="source", tokens=False)
    assert [p.name for p in (tmp_path / "by-source" / "sentences.parquet").iterdir()] == ["source_part=tests"]
    with pytest.raises(StoreError, match="cannot partition by 'venue'; use one of year, source"):
        export_dataset(store, tmp_path / "x", partition_by="venue")
