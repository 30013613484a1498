"""Precounted tracked terms (extract.terms, store.term_counts) give what the text scan gives."""

import duckdb
import pytest

from pipeline.ingest.driver import ingest
from pipeline.config import IngestSettings
from pipeline.errors import StoreError
from pipeline.extract.terms import TermCounter, default_term_counter
from pipeline.textview import to_simplified
from pipeline.store import TABLES, Store
from pipeline.textview import count_han
from pipeline.query.terms import TermSpec, resolve_group, resolve_terms
from pipeline.ingest.retag import retag
from pipeline.query.trends import per_doc_counts, precount_plan, trend

# Written for these tests: Traditional text, terms broken by whitespace (a line wrap, an
# ideographic space, a vertical tab), overlapping aliases (去风险 / 去风险化), case-insensitive
# Latin aliases in several cases (and U+017F, which RE2 folds to s), repeated and nested terms.
DOCS = {
    "a.txt": (2019, ["美國的保護主義與供應鏈", "供应\n链与供\u3000应链，还有供\x0b应链。", "推动去风险化，再谈去风险、去 风险化。"]),
    "b.txt": (2020, ["Friend-Shoring, FRIEND-SHORING and friendshoring; 友岸外包与友岸化。", "Supply Chain, supply chain, SUPPLY CHAIN."]),
    "c.txt": (None, ["对等关税与关税关税，301关税。", "IPEF、ipef 与 TTC；Entity List、entity list。", "这里没有关键词。"]),
}


def fill(store, docs=DOCS, prefix="doc"):
    doc_rows, sentence_rows = [], []
    for n, (name, (year, texts)) in enumerate(docs.items()):
        doc_id = f"{prefix}{n}"
        doc_rows.append({"doc_id": doc_id, "doc": name, "path": f"/t/{name}", "year": year, "published": str(year) if year else None,
                         "source": "test", "n_sentences": len(texts)})
        for i, text in enumerate(texts):
            sentence_rows.append({"doc_id": doc_id, "idx": i, "section": "body", "paragraph": i, "page": None, "start": 0,
                                  "end": len(text), "text": text, "simplified": to_simplified(text), "n_han": count_han(text)})
    store.append("documents", doc_rows)
    store.append("sentences", sentence_rows)


def every_key_spec():
    counter = default_term_counter()
    return [TermSpec(name=n, kind="literal", needles=((n, True),)) for n in counter.literals] + [resolve_group(g) for g in counter.groups]


def both_ways(store, specs, **kwargs):
    pre = per_doc_counts(store, specs, **kwargs)
    scan = per_doc_counts(store, specs, precounts=False, **kwargs)
    return pre, scan


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "t.duckdb"
    with Store.open(path) as store:
        fill(store)
        retag(store, stages=["terms"])
    return path


def test_counter_follows_the_trend_rules():
    counts = default_term_counter().count
    assert counts("推动去风险化，再谈去风险、去 风险化。") == {"group:去风险": 3, "literal:去风险": 3, "literal:去风险化": 2}
    got = counts("Friend-Shoring, FRIEND-SHORING and friendshoring; 友岸外包与友岸化。")
    assert got["group:友岸外包"] == 5 and got["literal:friendshoring"] == 1 and got["literal:友岸"] == 2
    assert "literal:friend-shoring" not in got  # literals are case-sensitive
    assert counts("Supply Chain, SUPPLY CHAIN.") == {"group:供应链": 2}
    assert counts("ſupply chain") == {}  # case is folded for ASCII letters only
    assert counts("对等关税与关税关税") == {"literal:关税": 3, "literal:对等关税": 1, "group:关税": 3, "group:对等关税": 1}
    assert counts("这里没有关键词。") == {}


def test_precounts_equal_the_scan_for_every_key(db):
    specs = every_key_spec()
    with Store.open(db, read_only=True) as store:
        assert len(precount_plan(store, specs)) == len(specs)
        for by in ("doc", "year"):
            pre, scan = both_ways(store, specs, by=by)
            assert pre == scan
        assert sum(int(r[f"c{specs.index(resolve_group('去风险'))}"]) for r in pre) == 3
        assert any(int(v) for r in pre for k, v in r.items() if k.startswith("c"))


def test_mixed_query_scans_only_what_is_not_precounted(db):
    specs = resolve_terms(["保护主义", "经济", "链"], ["供应链"])  # 经济, 链: not tracked
    with Store.open(db, read_only=True) as store:
        assert set(precount_plan(store, specs)) == {0, 3}
        pre, scan = both_ways(store, specs, by="year")
        assert pre == scan
        rows = {r["bucket"]: r for r in trend(store, specs).rows if r["term"] == "group:供应链"}
        assert rows["2019"]["count"] == 4 and rows["2020"]["count"] == 3


def test_stale_or_missing_lexicon_hash_falls_back_to_the_scan(db):
    specs = every_key_spec()
    with Store.open(db) as store:
        before = per_doc_counts(store, specs, by="doc")
        store.con.execute("UPDATE documents SET terms_version = 'other' WHERE doc = 'b.txt'")
        assert precount_plan(store, specs) == {}
        assert per_doc_counts(store, specs, by="doc") == before
        store.con.execute("UPDATE documents SET terms_version = NULL")
        assert precount_plan(store, specs) == {}
        # a document appended without precounts makes the store stale too
        retag(store, stages=["terms"])
        fill(store, {"d.txt": (2021, ["保护主义"])}, prefix="new")
        assert precount_plan(store, specs) == {}
        assert {r["doc"]: r["c0"] for r in per_doc_counts(store, resolve_terms(["保护主义"]), by="doc")}["d.txt"] == 1


def test_another_lexicon_has_another_hash():
    counter = default_term_counter()
    groups = dict(counter.groups)
    groups["去风险"] = groups["去风险"][:1]
    assert TermCounter(counter.literals, groups).version != counter.version
    assert TermCounter(counter.literals[1:], counter.groups).version != counter.version
    assert TermCounter(counter.literals, counter.groups).version == counter.version


def test_ingest_writes_precounts_that_match_the_scan(write, tmp_path):
    a = write("a.txt", "美國的保護主義與供應鏈。\n\n各国推动去风险化与 friend-shoring，再谈去风险。\n")
    b = write("b.txt", "美国对华加征关税。\n\n出口管制与实体清单（Entity List）不断扩大。\n")
    db = tmp_path / "s.duckdb"
    ingest([a, b], db=db, settings=IngestSettings(progress=False))
    specs = every_key_spec()
    with Store.open(db, read_only=True) as store:
        hashes = {r["terms_version"] for r in store.query("SELECT terms_version FROM documents")}
        assert hashes == {default_term_counter().version}
        assert store.table_counts()["term_counts"] > 0
        assert len(precount_plan(store, specs)) == len(specs)
        pre, scan = both_ways(store, specs, by="doc")
        assert pre == scan


def _old_store(path):
    """A store as written before ``spaced``, the stage versions, ``names`` and ``term_counts`` existed."""
    con = duckdb.connect(str(path))
    new = {("sentences", "spaced"), *(("documents", f"{s}_version") for s in ("extract", "citations", "audit", "terms"))}
    for table, columns in TABLES.items():
        if table not in ("term_counts", "names"):
            body = ", ".join(f'"{c}" {k}' for c, k in columns if (table, c) not in new)
            con.execute(f'CREATE TABLE "{table}" ({body})')
    con.execute("INSERT INTO documents (doc_id, doc, path, year) VALUES ('d0', 'old.txt', '/t/old.txt', 2019)")
    con.execute("INSERT INTO sentences (doc_id, idx, section, paragraph, start, \"end\", text, simplified, n_han) VALUES "
                "('d0', 0, 'body', 0, 0, 6, '供应 链。', '供应 链。', 3), ('d0', 1, 'body', 0, 6, 10, '供应链。', '供应链。', 3)")
    con.close()


def test_old_store_read_only_scans_and_writing_upgrades_it(tmp_path):
    path = tmp_path / "old.duckdb"
    _old_store(path)
    specs = resolve_terms(["供应链"], ["供应链"])
    with Store.open(path, read_only=True) as store:
        assert precount_plan(store, specs) == {}
        assert [(r["c0"], r["c1"]) for r in per_doc_counts(store, specs)] == [(2, 2)]
        with pytest.raises(StoreError, match="open it once for writing to upgrade it"):
            store.require_columns("sentences", "spaced")
    with Store.open(path) as store:
        assert store.has_columns("sentences", "spaced") and store.has_columns("term_counts", "key")
        assert [r["spaced"] for r in store.query("SELECT spaced FROM sentences ORDER BY idx")] == [True, False]
        assert precount_plan(store, specs) == {}  # no precounts yet: still the scan
        retag(store, stages=["terms"])
        assert len(precount_plan(store, specs)) == 2
        assert [(r["c0"], r["c1"]) for r in per_doc_counts(store, specs)] == [(2, 2)]
