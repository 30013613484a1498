"""Word segmentation that keeps every lexicon term whole.

A :class:`Segmenter` owns its own ``jieba.Tokenizer`` (never jieba's global one) with a
user dictionary generated from the lexicons, and a blank spaCy ``zh`` pipeline whose
tokenizer builds ``Doc(vocab, words, spaces)`` from those tokens. Both are built lazily, on
first use; a jieba ``Tokenizer`` holds a lock and cannot be pickled, so a Segmenter pickles
as its settings and rebuilds itself.

Two backends give the same tokens: ``jieba`` (the reference, the default) and ``rjieba``
(jieba-rs: the same algorithm, dictionary and HMM, ~10x faster). jieba-rs keeps a run of
Latin letters, digits and ``-./`` (``1002-6649``, ``www.gov.cn``) whole where jieba splits it
on punctuation; :class:`RustTokenizer` re-splits those runs the way jieba does, which brings
sentence-level agreement on the shared corpus to 99.997% (1 of 37,484 sentences differs: an
HMM tie); ``make bench`` measures it.

Matching does not depend on this (see ``pipeline.extract.matcher``); segmentation serves
token-level work (spaCy spans, vectorisers, KWIC).
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.lexicons import load_lexicons

# jieba's user dictionary holds one "word freq" per line: no spaces, and its cutter only
# keeps a term whole if every character belongs to its word pattern.
_JIEBA_WORD = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")
USER_WORD_FREQ = 10**7  # high enough that a lexicon term beats any split in context
SEGMENTERS = ("jieba", "rjieba")
# jieba's finalseg splits a non-Han run on these (re_skip), with and without the HMM
_JIEBA_SKIP = {True: re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)"), False: re.compile(r"([a-zA-Z0-9]+)")}
_HAN = re.compile(r"[\u4E00-\u9FD5]")
_ALNUM = re.compile(r"^[a-zA-Z0-9]+$")


def jieba_can_hold(word: str) -> bool:
    """Whether jieba can keep ``word`` as one token (no spaces, only its word characters)."""
    return bool(_JIEBA_WORD.match(word))


class Segmenter:
    """Lexicon-aware Chinese segmenter. Settings are keyword-only; nothing is loaded until
    the first call."""

    def __init__(self, *, lexicon_dir: str | None = None, cache_dir: str | None = None, hmm: bool = True, backend: str = "jieba"):
        self.lexicon_dir = lexicon_dir
        self.cache_dir = cache_dir
        self.hmm = hmm
        self.backend = backend
        self._tokenizer = None
        self._nlp = None

    # -- jieba ---------------------------------------------------------------------------
    def user_words(self) -> list[str]:
        """The lexicon terms, with their Simplified and Traditional (OpenCC s2t, s2tw) forms,
        that jieba can hold."""
        import opencc

        converters = [opencc.OpenCC("s2t"), opencc.OpenCC("s2tw")]
        words: dict[str, None] = {}
        for word in load_lexicons(self.lexicon_dir).segment_words():
            for form in (word, *(c.convert(word) for c in converters)):
                if jieba_can_hold(form):
                    words.setdefault(form, None)
        return list(words)

    @property
    def tokenizer(self):
        """This segmenter's own ``jieba.Tokenizer`` (or :class:`RustTokenizer` for the
        ``rjieba`` backend), built on first use."""
        if self._tokenizer is None and self.backend != "jieba":
            if self.backend not in SEGMENTERS:
                raise PipelineError(f"unknown segmenter backend {self.backend!r}; choose one of {', '.join(SEGMENTERS)}")
            self._tokenizer = RustTokenizer(self.user_words())
        if self._tokenizer is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # jieba imports pkg_resources
                import jieba
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            if self.cache_dir:
                Path(self.cache_dir).mkdir(parents=True, exist_ok=True)
                tokenizer.tmp_dir = self.cache_dir
            tokenizer.initialize()
            for word in self.user_words():
                tokenizer.add_word(word, freq=USER_WORD_FREQ)
            self._tokenizer = tokenizer
        return self._tokenizer

    def cut(self, text: str) -> list[str]:
        """Tokens of ``text``; they concatenate back to ``text``."""
        return list(self.tokenizer.cut(text, HMM=self.hmm))

    lcut = cut  # jieba's name, so a Segmenter can stand in for a jieba Tokenizer

    # -- spaCy ---------------------------------------------------------------------------
    def make_doc(self, text: str):
        """A spaCy ``Doc`` whose tokens are this segmenter's tokens (whitespace kept as
        ``spaces`` after a token where possible)."""
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        for token in self.cut(text):
            if token == " " and words and not spaces[-1]:
                spaces[-1] = True
            else:
                words.append(token)
                spaces.append(False)
        return Doc(self.nlp.vocab, words=words, spaces=spaces)

    @property
    def nlp(self):
        """A blank ``zh`` pipeline using this segmenter as its tokenizer."""
        if self._nlp is None:
            import spacy

            nlp = spacy.blank("zh")
            nlp.tokenizer = _SegmenterTokenizer(self)
            self._nlp = nlp
        return self._nlp

    # -- pickling: settings only ---------------------------------------------------------
    def __getstate__(self) -> dict:
        return {"lexicon_dir": self.lexicon_dir, "cache_dir": self.cache_dir, "hmm": self.hmm, "backend": self.backend}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def __repr__(self) -> str:
        return (
            f"Segmenter(lexicon_dir={self.lexicon_dir!r}, cache_dir={self.cache_dir!r}, hmm={self.hmm!r}, "
            f"backend={self.backend!r})"
        )


class RustTokenizer:
    """jieba-rs (``rjieba``) with the user words, giving jieba's tokens. Same call shape as
    ``jieba.Tokenizer.cut``/``lcut``; cannot be pickled (a Segmenter rebuilds it)."""

    def __init__(self, user_words: list[str]):
        import rjieba

        self._jieba = rjieba.Jieba()
        for word in user_words:
            self._jieba.add_word(word, USER_WORD_FREQ, None)

    def cut(self, text: str, HMM: bool = True) -> list[str]:  # noqa: N803 (jieba's keyword)
        tokens = self._jieba.cut(text, HMM)
        if not any(len(t) > 1 and not _ALNUM.match(t) and not _HAN.search(t) for t in tokens):
            return tokens
        out: list[str] = []
        skip = _JIEBA_SKIP[HMM]
        for token in tokens:
            if len(token) > 1 and not _ALNUM.match(token) and not _HAN.search(token) and not self._jieba.has_word(token):
                out.extend(part for part in skip.split(token) if part)  # 1002-6649 -> 1002 - 6649
            else:
                out.append(token)
        return out

    lcut = cut

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        self._jieba.add_word(word, freq, tag)


class _SegmenterTokenizer:
    """spaCy tokenizer callable: ``text -> Doc`` through a :class:`Segmenter`."""

    def __init__(self, segmenter: Segmenter):
        self.segmenter = segmenter

    def __call__(self, text: str):
        return self.segmenter.make_doc(text)


def segmenter_for(backend: str = "jieba", lexicon_dir: str | None = None) -> Segmenter:
    """The process's segmenter of this backend and lexicon folder, built once while the
    lexicon files stay the same (jieba's dictionary takes a second or two to load)."""
    lexicons = load_lexicons(lexicon_dir)
    return _segmenter(backend, lexicons.directory, lexicons.fingerprint)


@lru_cache(maxsize=4)
def _segmenter(backend: str, directory: str, fingerprint: str) -> Segmenter:
    return Segmenter(backend=backend, lexicon_dir=directory)


# Content words: what a token is for two purposes, with different rules.
_NOT_A_WORD = re.compile(r"^[\W_]+$")  # whitespace and punctuation only
_CONTENT = re.compile(r"[\w\u3400-\u9fff]")
STOP_WORDS_EN = frozenset(
    "the and for with from that this are was were its their into over under between about "
    "how why what new on in of to by at as an a or is be".split()
)


def words(text: str, segmenter: Segmenter | None = None) -> list[str]:
    """Every word of ``text`` (the classifiers' features): punctuation and spaces dropped,
    one-character words kept, because 不, 华, 对 carry stance."""
    return [t for t in (segmenter or segmenter_for()).cut(text) if t.strip() and not _NOT_A_WORD.match(t)]


def content_words(text: str, segmenter: Segmenter | None = None) -> list[str]:
    """The words that say what ``text`` is about (the audit's topic overlap and passage
    retrieval): two or more characters, lower-cased, no numbers, no English stop words."""
    out = []
    for w in (segmenter or segmenter_for()).lcut(text or ""):
        w = w.strip().lower()
        if len(w) < 2 or not _CONTENT.search(w) or w.isdigit() or w in STOP_WORDS_EN:
            continue
        out.append(w)
    return out
