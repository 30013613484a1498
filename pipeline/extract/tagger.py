"""Tag free text with frameworks, instruments and stance: the library behind ``policytext tag``.

Works on any sentence, ingested or not, Traditional Chinese included (matching runs on the
Simplified view; offsets are into the text as given).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pipeline import jsonsafe
from pipeline.jsonsafe import RecordError
from pipeline.errors import PipelineError
from pipeline.extract import extract_sentences

__all__ = ["Tagger", "TagReport", "tag_jsonl", "extract_sentences"]

TAG_FIELDS = ("frameworks", "instruments", "stance", "evidence")


class Tagger:
    """Rule-based tagger: runs the spaCy pipeline of :func:`~pipeline.extract.components.build_nlp`
    (the project's segmenter and the three rule components), so its labels are
    ``doc.spans["frameworks"]``, ``doc.spans["instruments"]`` and ``doc._.stance``: the labels
    ingest stores. Settings are keyword-only; the pipeline is built on the first text."""

    def __init__(self, *, lexicon_dir: str | None = None, text_field: str = "text"):
        self.lexicon_dir = lexicon_dir
        self.text_field = text_field
        self._nlp = None

    @property
    def nlp(self):
        if self._nlp is None:
            from pipeline.extract.components import build_nlp  # spaCy only when tagging

            self._nlp = build_nlp(lexicon_dir=self.lexicon_dir)
        return self._nlp

    def tag_doc(self, doc) -> dict[str, Any]:
        """The tag fields of a processed Doc (``evidence`` with exact offsets into its text)."""
        _, extraction = doc._.extraction
        return {
            "frameworks": sorted({span.label_ for span in doc.spans["frameworks"]}),
            "instruments": sorted({span.label_ for span in doc.spans["instruments"]}),
            "stance": doc._.stance,
            "evidence": extraction.evidence(doc.text),
        }

    def tag_text(self, text: str) -> dict[str, Any]:
        """``{"frameworks": [ids], "instruments": [ids], "stance": id, "evidence": [...]}``;
        each evidence item is ``{kind, label, cue, start, end}`` with offsets into ``text``."""
        if not isinstance(text, str):
            raise PipelineError(f"text must be a string, got {type(text).__name__}")
        return self.tag_doc(self.nlp(text))

    def tag_record(self, record: Any, *, line: int | None = None) -> dict[str, Any]:
        """``record`` with the tag fields added (they replace fields of the same name)."""
        where = f"line {line}" if line is not None else "record"
        if not isinstance(record, dict):
            raise PipelineError(f"{where}: expected a JSON object, got {type(record).__name__}")
        text = record.get(self.text_field)
        if not isinstance(text, str):
            got = "no such field" if self.text_field not in record else f"a {type(text).__name__}"
            raise PipelineError(f"{where}: field {self.text_field!r} must be a string ({got})")
        return {**record, **self.tag_text(text)}

    def tag_records(self, records: Iterable[dict]) -> Iterator[dict]:
        """Tag each record; a record without a string ``text`` raises ``PipelineError``
        naming its 1-based position."""
        for number, record in enumerate(records, start=1):
            yield self.tag_record(record, line=number)


@dataclass
class TagReport:
    """What :func:`tag_jsonl` did: lines tagged and one message per bad line."""

    tagged: int = 0
    errors: list[str] = field(default_factory=list)


def tag_jsonl(source: IO[str], sink: IO[str], *, tagger: Tagger | None = None, name: str = "<input>") -> TagReport:
    """Read JSON Lines from ``source``, write tagged JSON Lines to ``sink``. A malformed line
    (bad JSON, not an object, no string ``text``) is reported with its 1-based line number
    and skipped; every other line is tagged. Blank lines are ignored."""
    tagger = tagger or Tagger()
    report = TagReport()
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record = jsonsafe.loads(line)
        except RecordError as exc:
            report.errors.append(f"{name}: line {number}: {exc}")
            continue
        try:
            tagged = tagger.tag_record(record, line=number)
        except PipelineError as exc:
            report.errors.append(f"{name}: {exc}")
            continue
        sink.write(json.dumps(tagged, ensure_ascii=False) + "\n")
        report.tagged += 1
    return report
