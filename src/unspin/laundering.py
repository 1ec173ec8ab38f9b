"""Is this text laundered? A score with no source at hand, for triage of large crawls.

:func:`laundering_score` reads one text and returns a :class:`LaunderingScore`: a likelihood in
[0, 1] that the text was machine-translated, spun or scraped into a content-farm page, and the evidence behind
it. Every signal is cheap (no model), so millions of pages can be triaged; the ones that score
high are then traced (``unspin trace``) to find their source.

The signals, each a :class:`Sign` with the probability it gives on its own:

* **confusables** — letters from another script that imitate Latin ones (Cyrillic ``а`` in an
  English word): no honest text has them;
* **name variants** — one name spelled several ways in the same text (Putin / Poutine / Pouten):
  machine translation out and back mangles names inconsistently;
* **doubled headline** — the first line repeated as the next one (scraper templates);
* **boilerplate** — blog furniture kept with the text (comment forms, share bars, related posts);
* **decimal commas** — ``2,4 percent`` in English text: numbers translated from a European
  language and back;
* **translationese** — function-word rates unlike English news, measured against the general
  English frequencies that the ``wordfreq`` package ships: translated text strings nouns with *of*
  ("the festival of film of Montclair"), drops articles and *said*, and uses more *that* and
  *which*. A logistic profile over twelve function words, fitted on unspin-bench (see
  :data:`PROFILE_WEIGHTS`), read on the text without its boilerplate.

Tried and dropped because they did not separate laundered from original text on unspin-bench
(ROC AUC about 0.5): the share of words that are rare in English (``wordfreq`` Zipf < 2), and
common words capitalised mid-sentence. ``wordfreq`` holds single-word frequencies only, so rare
*word pairs* (collocations) cannot be measured from it.

The signals are combined by noisy-OR: ``score = 1 - prod(1 - p_i)``. The per-signal
probabilities were set on unspin-bench (round-trip, double round-trip and homoglyph suspects
against the original BBC texts) and checked on the seed article; ``docs/changes.md`` explains
what a score means and ``docs/benchmarks.md`` gives the measured ROC AUC.

Meaning of the score: **>= 0.5 — likely laundered** (one strong signal, or several weak ones);
0.2-0.5 — suspicious, worth a trace; < 0.2 — no sign of laundering found (which does not prove the
text original: a clean human rewrite leaves none of these traces).
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from unspin.changes.lexicon import alias, phonetic_skeleton, same_name
from unspin.changes.textview import NAME_STOP, TextView
from unspin.errors import InputError
from unspin.text.normalize import count_confusables, fold
from unspin.text.segment import split_sentences

logger = logging.getLogger(__name__)

__all__ = ["LIKELY", "LaunderingScore", "Sign", "laundering_score"]

#: Score at or above which a text is called likely laundered.
LIKELY = 0.5
#: Score at or above which a text is suspicious (worth tracing).
SUSPICIOUS = 0.2

# Per-signal probabilities (see the module docstring for how they were set).
P_CONFUSABLES = 0.97  # three or more look-alike letters
P_CONFUSABLE_FEW = 0.6  # one or two
P_NAME_VARIANT = 0.45  # per group of variant spellings (two groups: 0.70)
P_DOUBLED_HEADLINE = 0.6
P_BOILERPLATE = 0.45
P_DECIMAL_COMMA = 0.45


@dataclass(frozen=True)
class Sign:
    """One signal found in the text.

    Attributes:
        signal: the signal's name (``"confusables"``, ``"name-variants"``, ``"doubled-headline"``,
            ``"boilerplate"``, ``"decimal-comma"``, ``"translationese"``).
        probability: what the signal alone says about laundering, in [0, 1].
        detail: one line for a person.
        examples: the words or lines that show it (at most 8).
        spans: their ``(start, end)`` offsets in the text (at most 8).
    """

    signal: str
    probability: float
    detail: str
    examples: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "probability": round(self.probability, 4), "detail": self.detail,
                "examples": list(self.examples), "spans": [list(s) for s in self.spans]}


@dataclass(frozen=True)
class LaunderingScore:
    """The laundering score of one text.

    Attributes:
        score: likelihood in [0, 1] that the text was machine-translated, spun or scraped
            (noisy-OR of the evidence probabilities; see the module docstring for its meaning).
        verdict: ``"likely laundered"`` (score >= 0.5), ``"suspicious"`` (>= 0.2) or
            ``"no sign of laundering"``.
        evidence: the signals found, strongest first.
        words: number of words read.
    """

    score: float
    verdict: str
    evidence: tuple[Sign, ...] = field(default_factory=tuple)
    words: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "verdict": self.verdict, "words": self.words,
                "meaning": "likelihood in [0, 1] that the text was machine-translated, spun or scraped; "
                           ">= 0.5 likely laundered, >= 0.2 suspicious (see docs/changes.md)",
                "evidence": [e.to_dict() for e in self.evidence]}


def _verdict(score: float) -> str:
    if score >= LIKELY:
        return "likely laundered"
    return "suspicious" if score >= SUSPICIOUS else "no sign of laundering"


def laundering_score(text: str, *, source: str = "<text>") -> LaunderingScore:
    """Score ``text`` for signs of laundering (no source needed).

    Args:
        text: the text (for HTML, its extracted main text: see :func:`unspin.inputs.extract.read_suspect`).
        source: what the text was read from, for the error message.

    Returns:
        The score, its verdict and the evidence, strongest first.

    Raises:
        InputError: the text holds no words.
    """
    view = TextView(text)
    if not view.tokens:
        raise InputError(source, "no words to score")
    found = (_confusables(text), _name_variants(view), _doubled_headline(text), _boilerplate(text),
             _decimal_commas(text), _translationese(text))
    evidence = [e for e in found if e is not None]
    evidence.sort(key=lambda e: -e.probability)
    keep = 1.0
    for e in evidence:
        keep *= 1.0 - e.probability
    score = 1.0 - keep
    return LaunderingScore(score, _verdict(score), tuple(evidence), len(view.tokens))


# --- signals ------------------------------------------------------------------------------------

def _confusables(text: str) -> Sign | None:
    view_words = [m for m in re.finditer(r"\S+", text) if not m.group().isascii()]
    hits = [(m.start(), m.end(), m.group()) for m in view_words if count_confusables(m.group())]
    total = sum(count_confusables(w) for _, _, w in hits)
    if not total:
        return None
    p = P_CONFUSABLES if total >= 3 else P_CONFUSABLE_FEW
    return Sign("confusables", p, f"{total} look-alike letters from another script in {len(hits)} words",
                    tuple(w for _, _, w in hits[:8]), tuple((s, e) for s, e, _ in hits[:8]))


def _name_variants(view: TextView) -> Sign | None:
    """Groups of capitalised names spelled differently but alike (not inflections or aliases).

    A capitalised word that starts a sentence joins in only as a variant of a name written
    mid-sentence ("Okaffor said ..." beside "... treasurer Maren Okafor"): on its own, its capital
    may be the sentence's.
    """
    spellings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    named: set[str] = set()
    for tok in view.tokens:
        if tok.capital and len(tok.key) >= 4 and tok.key.isalpha() and tok.key not in NAME_STOP:
            spellings[tok.key].append((tok.start, tok.end))
            if view.is_name(tok):
                named.add(tok.key)
    keys = sorted(spellings)
    groups: list[set[str]] = []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if a not in named and b not in named:
                continue
            if _inflected(a, b) or not _variants(a, b):
                continue  # Russia/Russian, Clinton/Clintons: one name inflected
            if alias(a) is not None and alias(a) == alias(b):
                continue
            group = next((g for g in groups if a in g or b in g), None)
            if group is None:
                groups.append({a, b})
            else:
                group |= {a, b}
    if not groups:
        return None
    p = 1.0 - (1.0 - P_NAME_VARIANT) ** len(groups)
    shown = [" / ".join(_surface(view, spellings, k) for k in sorted(g, key=lambda k: spellings[k][0]))
             for g in groups]
    spans = tuple(spellings[k][0] for g in groups for k in sorted(g))[:8]
    return Sign("name-variants", p, f"{len(groups)} name(s) spelled several ways: " + "; ".join(shown),
                    tuple(shown[:8]), spans)


_INFLECTIONS = ("s", "es", "n", "an", "ian", "ans", "ns", "ese", "ish", "i", "is", "y")


def _inflected(a: str, b: str) -> bool:
    """Whether one word is the other with an English inflection or demonym ending (Russia/Russian,
    Gypsy/Gypsies)."""
    short, long = sorted((a, b), key=len)
    if short.endswith("y") and long == short[:-1] + "ies":
        return True
    return long.startswith(short) and long[len(short):] in _INFLECTIONS


#: Zipf frequency (``wordfreq``) at or above which a word is common English: two common words
#: are two words (Minister / Ministry, James / Jamie, Beijing / Boeing), not one name misspelled.
COMMON_ZIPF = 3.3


#: Spelling-key likeness (:func:`unspin.changes.lexicon.same_name`) of two names that may be
#: variants of one when their consonant skeletons agree too.
VARIANT_LIKENESS = 0.8
#: Letters both names need to count as variants (short names collide: King / Kong).
VARIANT_MIN_LETTERS = 5


def _variants(a: str, b: str) -> bool:
    """Stricter than :func:`same_name`: two names in one text are spellings of one only when they
    start with the same letter, are not both common English words, and their spelling keys are
    equal, or alike (:data:`VARIANT_LIKENESS`) with equal consonant skeletons and at least
    :data:`VARIANT_MIN_LETTERS` letters each
    (David / Davis, John / Jones, King / Kong are different names)."""
    if a[0] != b[0]:
        return False
    zipf = _zipf()
    if zipf(a, "en") >= COMMON_ZIPF and zipf(b, "en") >= COMMON_ZIPF:
        return False
    score = same_name(a, b)
    long_enough = min(len(a), len(b)) >= VARIANT_MIN_LETTERS
    if score >= 1.0:
        return long_enough
    return score >= VARIANT_LIKENESS and long_enough and phonetic_skeleton(a) == phonetic_skeleton(b)


def _surface(view: TextView, spellings: dict[str, list[tuple[int, int]]], key: str) -> str:
    s, e = spellings[key][0]
    return view.text[s:e]


def _doubled_headline(text: str) -> Sign | None:
    lines = [(m.start(), m.end(), m.group().strip()) for m in re.finditer(r"[^\n]+", text)
             if m.group().strip()]
    if len(lines) < 2:
        return None
    first, second = lines[0][2], lines[1][2]
    if len(first) > 300 or fuzz.ratio(fold(first), fold(second)) < 95:
        return None
    return Sign("doubled-headline", P_DOUBLED_HEADLINE, "the headline is repeated as the next line",
                    (second,), ((lines[1][0], lines[1][1]),))


def _boilerplate(text: str) -> Sign | None:
    sentences = [s for s in split_sentences(text) if s.boilerplate]
    lines = text.splitlines()
    headline = lines[0].strip() if lines else ""
    found = [s for s in sentences if fold(s.text) != fold(headline)]
    if not found:
        return None
    return Sign("boilerplate", P_BOILERPLATE,
                    f"{len(found)} lines of blog furniture (comment form, share bar, related posts)",
                    tuple(s.text[:80] for s in found[:8]), tuple((s.start, s.end) for s in found[:8]))


_DECIMAL_COMMA_RE = re.compile(r"(?<![\d,.])\d{1,3},\d{1,2}(?![\d,])\s*"
                               r"(?:%|per ?cent|percent|million|billion|"
                               r"thousand|euros?|dollars?|pounds?|points?)", re.IGNORECASE)


def _decimal_commas(text: str) -> Sign | None:
    hits = list(_DECIMAL_COMMA_RE.finditer(text))
    if not hits:
        return None
    return Sign("decimal-comma", P_DECIMAL_COMMA,
                    f"{len(hits)} numbers with a decimal comma in English text",
                    tuple(m.group() for m in hits[:8]), tuple(m.span() for m in hits[:8]))


#: Function words whose rates tell translated English from news English, with their weights in
#: the logistic profile (fitted on unspin-bench: round trips with their page furniture removed
#: against 600 BBC originals; 2-fold cross-validated ROC AUC 0.89 on held-out articles). Each
#: feature is log((count + 0.5) / (words * wordfreq frequency)): the word's rate against its
#: rate in general English as the ``wordfreq`` package gives it.
PROFILE_WEIGHTS = {
    "of": 3.866, "a": -1.632, "an": -0.598, "that": 0.849, "which": 0.438, "said": -0.748, "the": -0.41,
    "its": -0.084, "is": 0.02, "was": -0.024, "in": 0.208, "to": 0.186,
}
PROFILE_BIAS = -2.129
#: Fewest words for the profile to be read (rates of short texts are noise).
PROFILE_MIN_WORDS = 120
#: Profile probability below which it is not reported as evidence.
PROFILE_REPORT = 0.2
_WORD_RE = re.compile(r"[A-Za-z']+")


@lru_cache(maxsize=1)
def _zipf() -> Any:
    """``wordfreq.zipf_frequency`` (imported on first use: loading its tables takes ~0.5 s)."""
    from wordfreq import zipf_frequency

    return zipf_frequency


@lru_cache(maxsize=1)
def _english_rates() -> dict[str, float]:
    """General-English frequency of each profile word, from ``wordfreq`` (imported on first use)."""
    from wordfreq import word_frequency

    return {w: word_frequency(w, "en") for w in PROFILE_WEIGHTS}


def _translationese(text: str) -> Sign | None:
    """Function-word rates of translated text: "the festival of film of Montclair", few articles.

    Read on the text without its boilerplate, so that the signal is independent of packaging.
    """
    body = " ".join(s.text for s in split_sentences(text) if not s.boilerplate)
    words = [w.lower() for w in _WORD_RE.findall(body)]
    if len(words) < PROFILE_MIN_WORDS:
        return None
    rates = _english_rates()
    z = PROFILE_BIAS + sum(weight * math.log((words.count(w) + 0.5) / (len(words) * rates[w]))
                           for w, weight in PROFILE_WEIGHTS.items())
    p = 1.0 / (1.0 + math.exp(-z))
    if p < PROFILE_REPORT:
        return None
    of_rate = 1000 * words.count("of") / len(words)
    articles = 1000 * (words.count("a") + words.count("an")) / len(words)
    return Sign("translationese", p,
                    f"function words unlike English news: 'of' {of_rate:.0f} per 1,000 words "
                    f"(general English: ~{1000 * rates['of']:.0f}), 'a/an' {articles:.0f} per 1,000 "
                    f"(general English: ~{1000 * (rates['a'] + rates['an']):.0f})")
