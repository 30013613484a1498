"""The version of each derived stage: what made a stored row, so it can be re-made.

A stage's version is a hash of the domain knowledge it reads (the lexicon files' contents)
and of its own code (the source of the modules that decide its output). Every derived row
records the version of its stage (column ``version``) and every document the versions its
rows were made with (``documents.<stage>_version``): editing a stance cue or an alias, or
upgrading policytext, makes the rows of older versions *stale*, which ``ingest`` reports and
``policytext retag`` re-makes from the stored raw text.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pipeline.extract.terms import default_term_counter
from pipeline.lexicons import load_lexicons
from pipeline.schema import STAGES

PACKAGE = Path(__file__).resolve().parents[1]
# The modules whose code decides each stage's rows (relative to the package).
STAGE_CODE = {
    "extract": ("textview.py", "extract/matcher.py", "extract/extractor.py", "extract/stance.py"),
    "citations": ("clean/markers.py", "citations/authoryear.py", "citations/claims.py", "citations/references.py",
                  "citations/resolve.py"),
    "audit": ("segment.py", "audit/checks.py"),
}


def _code_hash(files: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode())
        digest.update((PACKAGE / name).read_bytes())
    return digest.hexdigest()


def _short(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def stage_versions(lexicon_dir: str | None = None) -> dict[str, str]:
    """stage -> version, for the lexicons in ``lexicon_dir`` (default: the packaged ones)."""
    lexicons = load_lexicons(lexicon_dir)
    return dict(_versions(lexicons.directory, lexicons.fingerprint))


@lru_cache(maxsize=8)
def _versions(directory: str, fingerprint: str) -> tuple[tuple[str, str], ...]:
    extract = _short("extract", fingerprint, _code_hash(STAGE_CODE["extract"]))
    citations = _short("citations", _code_hash(STAGE_CODE["citations"]))
    # the audit reads the citations' parse and segments with the lexicon dictionary
    audit = _short("audit", citations, fingerprint, _code_hash(STAGE_CODE["audit"]))
    versions = {"extract": extract, "citations": citations, "audit": audit, "terms": default_term_counter(directory).version}
    return tuple((stage, versions[stage]) for stage in STAGES)
