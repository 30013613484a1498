"""Lexicons as data: frameworks, instruments, stance cues and tracked terms.

The YAML files next to this module hold the domain knowledge; :func:`load_lexicons` reads
and validates them (unknown label id, empty alias, an alias mapped to two ids, a bad regular
expression -> :class:`~pipeline.errors.PipelineError` naming the file and the entry).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import PipelineError
from pipeline.textview import fold, to_simplified

LEXICON_DIR = Path(__file__).resolve().parent
LABEL_FILES = {"framework": "frameworks.yaml", "instrument": "instruments.yaml", "term": "terms.yaml"}
STANCE_FILE = "stance.yaml"
POLARITIES = ("DECOUPLING", "RECOUPLING", "MIXED")
_WORD_LISTS = (
    "negators",
    "negator_exceptions",
    "post_negators",
    "reducers",
    "linkage",
    "china_targets", "pair_targets", "non_linkage",
    "concept_markers", "economic_context", "non_economic_context",
)


@dataclass(frozen=True)
class Alias:
    """One surface form of a label. ``key`` is what the matcher looks for (Simplified,
    width- and case-folded); ``cased`` is the same without case folding."""

    kind: str  # framework | instrument | term | stance | blocker
    label: str  # label id, term, or stance polarity
    text: str  # as written in the lexicon
    key: str
    cased: str
    case_sensitive: bool
    latin_start: bool  # needs an ASCII word boundary before it
    latin_end: bool  # ... and after it
    mode: str = ""  # stance cues: "strong" | "targeted"
    source: str = ""  # "file: entry" for error messages


@dataclass(frozen=True)
class StanceRules:
    """Everything the stance rules need besides the cue aliases."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (polarity, regex)
    mixed_patterns: tuple[re.Pattern[str], ...]
    negators: tuple[str, ...]
    negator_exceptions: tuple[str, ...]
    post_negators: tuple[str, ...]
    reducers: tuple[str, ...]
    linkage: tuple[str, ...]
    china_targets: tuple[str, ...]
    pair_targets: tuple[str, ...]
    non_linkage: tuple[str, ...]
    concept_markers: tuple[str, ...]
    economic_context: tuple[str, ...] = ()
    non_economic_context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicons:
    directory: str
    aliases: tuple[Alias, ...]
    labels: dict[str, tuple[str, ...]]  # kind -> ids that occur in the lexicon
    stance: StanceRules
    fingerprint: str = ""  # hash of the files' contents: the version of the domain knowledge

    def of_kind(self, kind: str) -> tuple[Alias, ...]:
        return tuple(a for a in self.aliases if a.kind == kind)

    def segment_words(self) -> list[str]:
        """Every alias as written plus its Simplified form: the segmenter's user words."""
        words: dict[str, None] = {}
        for alias in self.aliases:
            if alias.kind == "blocker":
                continue
            words.setdefault(alias.text, None)
            words.setdefault(to_simplified(alias.text), None)
        return list(words)


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _make_alias(kind: str, label: str, raw: Any, source: str, mode: str = "") -> Alias:
    case = None
    if isinstance(raw, dict):
        unknown = set(raw) - {"text", "case"}
        if unknown or "text" not in raw:
            raise PipelineError(
                f"{source}: alias {raw!r} must be a string or {{text, case}}; unknown keys {sorted(unknown)}"
            )
        case = raw.get("case")
        if case not in (None, "exact", "any"):
            raise PipelineError(f"{source}: alias {raw['text']!r}: case must be 'exact' or 'any', not {case!r}")
        raw = raw["text"]
    if raw is None or not isinstance(raw, (str, int)):
        raise PipelineError(f"{source}: alias {raw!r} is not a string")
    text = str(raw)
    if not text.strip():
        raise PipelineError(f"{source}: empty alias; remove it or give the term")
    if text != text.strip():
        raise PipelineError(f"{source}: alias {text!r} has leading or trailing spaces")
    cased = fold(to_simplified(text), lower=False)
    if case is None:  # acronyms (no lower-case letter) are case-sensitive by default
        case = "exact" if any(c.isascii() and c.isalpha() for c in text) and not any(c.islower() for c in text) else "any"
    return Alias(
        kind=kind,
        label=label,
        text=text,
        key=fold(cased),
        cased=cased,
        case_sensitive=case == "exact",
        latin_start=_is_word_char(cased[0]),
        latin_end=_is_word_char(cased[-1]),
        mode=mode,
        source=source,
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PipelineError(f"{path}: lexicon file not found") from None
    except yaml.YAMLError as exc:
        raise PipelineError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PipelineError(f"{path}: expected a mapping at the top level")
    return data


def _check_unique(aliases: list[Alias], file: str) -> None:
    seen: dict[str, Alias] = {}
    for alias in aliases:
        other = seen.get(alias.key)
        if other is not None and other.label != alias.label:
            raise PipelineError(
                f"{file}: alias {alias.text!r} maps to both {other.label} and {alias.label}; keep it under one id"
            )
        seen.setdefault(alias.key, alias)


def _compile(pattern: Any, source: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise PipelineError(f"{source}: pattern {pattern!r} must be a non-empty string")
    try:
        return re.compile(fold(to_simplified(pattern)))
    except re.error as exc:
        raise PipelineError(f"{source}: pattern {pattern!r} is not a valid regular expression: {exc}") from None


def _load_labelled(directory: Path, kind: str, known: set[str] | None) -> list[Alias]:
    file = LABEL_FILES[kind]
    data = _read_yaml(directory / file)
    labels = data.get("labels")
    if not isinstance(labels, dict) or not labels:
        raise PipelineError(f"{directory / file}: needs a non-empty 'labels' mapping")
    aliases: list[Alias] = []
    for label, entry in labels.items():
        source = f"{file}: {label}"
        if known is not None and label not in known:
            raise PipelineError(f"{source}: unknown label id {label!r}; the ids are listed in labels.yaml")
        raw_aliases = entry.get("aliases") if isinstance(entry, dict) else entry
        if not isinstance(raw_aliases, list) or not raw_aliases:
            raise PipelineError(f"{source}: needs a non-empty list of aliases")
        aliases.extend(_make_alias(kind, str(label), raw, source) for raw in raw_aliases)
    for raw in data.get("blockers", []) or []:
        aliases.append(_make_alias("blocker", "", raw, f"{file}: blockers"))
    _check_unique([a for a in aliases if a.kind != "blocker"], str(directory / file))
    return aliases


def _load_stance(directory: Path) -> tuple[list[Alias], StanceRules]:
    data = _read_yaml(directory / STANCE_FILE)
    cues = data.get("cues")
    if not isinstance(cues, dict):
        raise PipelineError(f"{directory / STANCE_FILE}: needs a 'cues' mapping")
    aliases: list[Alias] = []
    for polarity, modes in cues.items():
        source = f"{STANCE_FILE}: {polarity}"
        if polarity not in POLARITIES:
            raise PipelineError(f"{source}: unknown stance id {polarity!r}; use one of {', '.join(POLARITIES)}")
        for mode, raw_aliases in (modes or {}).items():
            if mode not in ("strong", "targeted"):
                raise PipelineError(f"{source}: unknown cue group {mode!r}; use 'strong' or 'targeted'")
            aliases.extend(_make_alias("stance", polarity, raw, f"{source}.{mode}", mode) for raw in raw_aliases or [])
    _check_unique(aliases, str(directory / STANCE_FILE))
    patterns = []
    for polarity, regexes in (data.get("patterns") or {}).items():
        if polarity not in POLARITIES:
            raise PipelineError(f"{STANCE_FILE}: patterns: unknown stance id {polarity!r}")
        patterns.extend((polarity, _compile(p, f"{STANCE_FILE}: patterns.{polarity}")) for p in regexes or [])
    mixed = tuple(_compile(p, f"{STANCE_FILE}: mixed_patterns") for p in data.get("mixed_patterns") or [])
    words: dict[str, tuple[str, ...]] = {}
    for name in _WORD_LISTS:
        values = data.get(name) or []
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise PipelineError(f"{STANCE_FILE}: {name}: every entry must be a non-empty string")
        words[name] = tuple(sorted({fold(to_simplified(v)) for v in values}, key=len, reverse=True))
    return aliases, StanceRules(patterns=tuple(patterns), mixed_patterns=mixed, **words)


LEXICON_FILES = ("labels.yaml", *LABEL_FILES.values(), STANCE_FILE)


def _stat_key(path: Path) -> tuple:
    """What tells that a lexicon file changed without reading it: size and modification time."""
    out = []
    for name in LEXICON_FILES:
        try:
            st = (path / name).stat()
            out.append((name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((name, None, None))
    return tuple(out)


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        digest.update(name.encode())
        try:
            digest.update((path / name).read_bytes())
        except OSError:
            digest.update(b"\0missing")
    return digest.hexdigest()[:12]


@lru_cache(maxsize=8)
def _load(directory: str, stat_key: tuple) -> Lexicons:
    path = Path(directory)
    if not path.is_dir():
        raise PipelineError(f"{directory}: no such lexicon folder")
    known = _read_yaml(path / "labels.yaml")
    aliases: list[Alias] = []
    labels: dict[str, tuple[str, ...]] = {}
    for kind in LABEL_FILES:
        ids = set(known[kind]) if kind in known else None
        kind_aliases = _load_labelled(path, kind, ids)
        aliases.extend(kind_aliases)
        labels[kind] = tuple(dict.fromkeys(a.label for a in kind_aliases if a.kind == kind))
    stance_aliases, rules = _load_stance(path)
    aliases.extend(stance_aliases)
    return Lexicons(directory=str(path), aliases=tuple(aliases), labels=labels, stance=rules, fingerprint=_fingerprint(path))


_PINNED: dict[str | None, Lexicons] | None = None


@contextmanager
def pinned_lexicons() -> Iterator[None]:
    """Inside the block each lexicon directory is checked for edits once, not on every call
    (an ingest task: thousands of documents, each asking for its lexicons several times)."""
    global _PINNED
    outer = _PINNED
    _PINNED = {} if outer is None else outer
    try:
        yield
    finally:
        _PINNED = outer


def load_lexicons(directory: str | Path | None = None) -> Lexicons:
    """Read and validate the lexicon files in ``directory`` (default: the packaged ones).
    Cached per directory while its files stay the same: an edited file is read again
    (checked once per :func:`pinned_lexicons` block inside one)."""
    pinned = _PINNED
    key = str(directory) if directory else None
    if pinned is not None and key in pinned:
        return pinned[key]
    path = Path(directory).resolve() if directory else LEXICON_DIR
    lexicons = _load(str(path), _stat_key(path))
    if pinned is not None:
        pinned[key] = lexicons
    return lexicons
