"""Reused passages: what an independent report of the same event cannot have.

Two reports of one event share names, numbers and the quotes they both print; what they do not share
is the reporter's own wording, sentence after sentence. :func:`passage_evidence` measures that on one
aligned passage (every count outside quotation marks), and the reuse lines (copied wording, an
obfuscated copy, a content block, dense copied wording) turn it into :func:`reuse_score`, 0.5 exactly on
the nearest line (docs/scores.md, "Passage reuse score"). :func:`spread_score` reads the copied wording
of all the passages of one source together.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from unspin.results import Passage
from unspin.text.normalize import content_tokens, fold
from unspin.tracing.decide import line_score, strong_count

#: Matching word blocks shorter than this are not counted as copied wording (function-word chance).
COPIED_BLOCK_WORDS = 3

_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class PassageEvidence:
    """Features of one aligned passage that tell reuse from an independent report of the same event.

    Two reports of one event share names, numbers and the quotes they both print; what they do not
    share is the reporter's own wording, sentence after sentence. So every count here is taken
    *outside quotation marks*.

    Attributes:
        pairs: aligned sentence pairs in the passage.
        strong: strongly aligned pairs, each weighed by :func:`strong_weight`.
        mean_similarity: mean pair similarity, in [0, 1].
        shared_words: content words (stemmed, stopwords out) shared by the paired sentences outside
            quotations, summed over the pairs.
        copied_words: words in identical runs of at least :data:`COPIED_BLOCK_WORDS` words shared by
            the paired sentences outside quotations, summed over the pairs (0 for a paraphrase).
        longest_run: the longest identical run of words outside quotations in any pair.
        quoted_share: share of the passage's suspect characters inside quotation marks, in [0, 1].
        copied_pairs: pairs that share at least one identical run of :data:`COPIED_BLOCK_WORDS`
            words outside quotations (weakly aligned neighbours of one copied sentence do not count).
        content_pairs: the most pairs that keep the content of the shorter sentence outside
            quotations (:func:`keeps_content`) among :data:`CONTENT_BLOCK_WINDOW` consecutive pairs of
            the passage: what an obfuscated copy keeps sentence after sentence however its words
            are shuffled, replaced or translated, and a same-event report rarely has in more than
            two pairs of one stretch.
        words: words of the passage's suspect sentences outside quotations (the denominator of
            :attr:`copied_share`).
        second_copied: copied words (as :attr:`copied_words`) of the pair with the second most: one
            shared sentence whose neighbour shares a stock phrase has few here.
        kept_pairs: pairs that keep the content of the shorter sentence outside quotations
            (:func:`keeps_content`) and share at least :data:`CONTENT_SPREAD_WORDS` content words,
            wherever they lie in the passage (summed over a source's passages by
            :func:`spread_evidence` for the content-spread line, :func:`content_spread_score`).
    """

    pairs: int
    strong: float
    mean_similarity: float
    shared_words: int
    copied_words: int
    longest_run: int
    quoted_share: float
    copied_pairs: int = 0
    content_pairs: int = 0
    words: int = 0
    second_copied: int = 0
    kept_pairs: int = 0

    def as_dict(self) -> dict[str, float]:
        return {"pairs": self.pairs, "strong": self.strong, "mean_similarity": self.mean_similarity,
                "shared_words": self.shared_words, "copied_words": self.copied_words,
                "longest_run": self.longest_run, "quoted_share": self.quoted_share,
                "copied_pairs": self.copied_pairs, "content_pairs": self.content_pairs,
                "words": self.words, "second_copied": self.second_copied, "kept_pairs": self.kept_pairs}

    @property
    def copied_share(self) -> float:
        """Share of the passage's suspect words outside quotations that lie in copied runs, in [0, 1]."""
        return min(self.copied_words / self.words, 1.0) if self.words else 0.0


def _unquoted(text: str, span: tuple[int, int], quotes: Sequence[tuple[int, int]]) -> tuple[str, int]:
    """The text of ``span`` with quotations blanked out, and how many of its characters were quoted."""
    start, end = span
    chars = list(text[start:end])
    quoted = 0
    for q_start, q_end in quotes:
        lo, hi = max(q_start, start), min(q_end, end)
        if lo < hi:
            chars[lo - start:hi - start] = " " * (hi - lo)
            quoted += hi - lo
    return "".join(chars), quoted


def passage_evidence(passage: Passage, suspect_text: str, source_text: str, *,
                     suspect_quotes: Sequence[tuple[int, int]] = (),
                     source_quotes: Sequence[tuple[int, int]] = ()) -> PassageEvidence:
    """Compute :class:`PassageEvidence` for one passage.

    Args:
        passage: an aligned passage (offsets into the two texts).
        suspect_text, source_text: the texts the offsets index.
        suspect_quotes, source_quotes: quotation spans of each text
            (:func:`unspin.changes.textview.quote_spans`); empty to count quoted words too.
    """
    shared = copied = longest = quoted = chars = copied_pairs = words = kept_wide = 0
    kept: list[bool] = []
    per_pair: list[int] = []
    for pair in passage.pairs:
        a_text, a_quoted = _unquoted(suspect_text, pair.suspect, suspect_quotes)
        b_text, _ = _unquoted(source_text, pair.source, source_quotes)
        quoted += a_quoted
        chars += pair.suspect[1] - pair.suspect[0]
        a_tokens, b_tokens = set(content_tokens(a_text)), set(content_tokens(b_text))
        shared += len(a_tokens & b_tokens)
        kept.append(keeps_content(a_tokens, b_tokens))
        kept_wide += kept[-1] and len(a_tokens & b_tokens) >= CONTENT_SPREAD_WORDS
        a_words = _WORD_RE.findall(fold(a_text).lower())
        b_words = _WORD_RE.findall(fold(b_text).lower())
        blocks = difflib.SequenceMatcher(None, a_words, b_words, autojunk=False).get_matching_blocks()
        in_runs = sum(b.size for b in blocks if b.size >= COPIED_BLOCK_WORDS)
        words += len(a_words)
        per_pair.append(in_runs)
        copied += in_runs
        copied_pairs += in_runs > 0
        longest = max([longest, *(b.size for b in blocks)])
    sims = [p.similarity for p in passage.pairs]
    return PassageEvidence(pairs=len(passage.pairs), strong=strong_count(sims),
                           mean_similarity=sum(sims) / len(sims) if sims else 0.0, shared_words=shared,
                           copied_words=copied, longest_run=longest,
                           quoted_share=quoted / chars if chars else 0.0, copied_pairs=copied_pairs,
                           content_pairs=_most_in_window(kept, CONTENT_BLOCK_WINDOW), words=words,
                           second_copied=sorted(per_pair, reverse=True)[1] if len(per_pair) > 1 else 0,
                           kept_pairs=kept_wide)


#: The lines a passage must reach to count as reused, set on the `fit` halves of the development
#: data (PAN 2013 training pairs and real-dev; see docs/scores.md): no passage of an independent
#: report on the same event reached either there. *Copied wording*: at least this many words in
#: identical runs outside quotations, with a run at least this long, spread over at least three
#: sentence pairs; over exactly two pairs it needs :data:`VERBATIM_WORDS_TWO` words, and copied wording
#: in one pair alone never reaches the line (one shared sentence, however long, is not a reused
#: passage, even when weakly aligned neighbours extend the passage around it).
VERBATIM_WORDS = 25
VERBATIM_WORDS_TWO = 40
VERBATIM_RUN = 12
#: *Obfuscated copy* (spun, machine-translated, reworded sentence by sentence): at least this many
#: strongly aligned sentence pairs in one passage (weighed, :func:`strong_weight`), at this mean similarity.
OBFUSCATED_STRONG = 5
OBFUSCATED_SIMILARITY = 0.82
#: *Dense copied wording* (a copy whose words were shuffled or partly replaced: runs of a few words
#: survive, none of :data:`VERBATIM_RUN`): at least this many words in identical runs outside
#: quotations ...
DENSE_WORDS = 12
#: ... making at least this share of the passage's suspect words outside quotations ...
DENSE_SHARE = 0.4
#: ... with at least this many of them in the pair with the second most (copied wording in two pairs,
#: not one shared sentence and a stock phrase beside it). Set on the `fit` halves of PAN 2013 and
#: real-dev (``benchmarks/reuse_lines.py``, docs/scores.md): there no passage of an independent report
#: or of a PAN pair without reuse had a share above 0.37, and none above 0.28 with 12 copied words.
DENSE_SECOND = 5
#: A reused passage has at least this many aligned sentence pairs: one shared sentence (a sister
#: article's background line, a statement both reports print) is never one.
MIN_REUSED_PAIRS = 2


def reuse_evidence(pe: PassageEvidence) -> float:
    """How far a passage reaches towards the reuse lines: 1.0 exactly on the nearer line.

    The largest of the copied-wording ratio (the smaller of ``copied_words / VERBATIM_WORDS`` (or
    ``VERBATIM_WORDS_TWO`` when only two pairs carry copied wording; 0 when fewer do) and
    ``longest_run / VERBATIM_RUN``) and the obfuscated-copy ratio (the smaller of
    ``strong / OBFUSCATED_STRONG`` and ``mean_similarity / OBFUSCATED_SIMILARITY``), the
    content-block ratio (:func:`content_block_ratio`) and the dense-wording ratio (:func:`dense_ratio`).
    """
    obfuscated = min(pe.strong / OBFUSCATED_STRONG, pe.mean_similarity / OBFUSCATED_SIMILARITY)
    return max(copied_wording_ratio(pe), obfuscated, content_block_ratio(pe), dense_ratio(pe))


def copied_wording_ratio(pe: PassageEvidence) -> float:
    """How far copied wording reaches towards its line: the smaller of ``copied_words /
    VERBATIM_WORDS`` (:data:`VERBATIM_WORDS_TWO` when only two pairs carry copied wording) and
    ``longest_run / VERBATIM_RUN``; 0 when fewer than two pairs carry any (one shared sentence is
    never reuse)."""
    if pe.copied_pairs < MIN_REUSED_PAIRS:
        return 0.0
    words = VERBATIM_WORDS_TWO if pe.copied_pairs == MIN_REUSED_PAIRS else VERBATIM_WORDS
    return min(pe.copied_words / words, pe.longest_run / VERBATIM_RUN)


def dense_ratio(pe: PassageEvidence, *, share: float = DENSE_SHARE) -> float:
    """How far a passage reaches towards the dense-wording line: the smaller of
    ``copied_words / DENSE_WORDS`` and ``copied_share / share`` (:data:`DENSE_SHARE` unless a line
    is being studied, ``benchmarks/reuse_lines.py --dense-shares``); 0 unless at least two pairs
    carry copied wording and the second of them at least :data:`DENSE_SECOND` words, and 0 for
    two pairs holding a run of :data:`VERBATIM_RUN` words (two verbatim sentences are judged by the
    copied-wording line alone).

    Random obfuscation (words shuffled, dropped, replaced by synonyms) leaves no long run but many
    short ones: a large share of the passage's own wording. Two reports of one event share names
    and stock phrases, a small share of what they say outside quotations.
    """
    if pe.copied_pairs < MIN_REUSED_PAIRS or pe.second_copied < DENSE_SECOND:
        return 0.0
    if pe.copied_pairs == MIN_REUSED_PAIRS and pe.longest_run >= VERBATIM_RUN:
        # Two sentences repeated word for word are a sister story's background paragraph until they
        # reach the copied-wording line over two pairs (VERBATIM_WORDS_TWO); shuffled wording is not.
        return 0.0
    return min(pe.copied_words / DENSE_WORDS, pe.copied_share / share)


def reuse_score(pe: PassageEvidence) -> float:
    """Confidence in [0, 1] that a passage was taken from the source; at or above the decision
    threshold (:attr:`unspin.options.TraceOptions.threshold`) the passage is reported as reused.

    0 for passages of fewer than :data:`MIN_REUSED_PAIRS` pairs. Otherwise a logistic function of
    :func:`reuse_evidence`, 0.5 exactly on a line: ``1 / (1 + exp(-REUSE_STEEPNESS * (evidence - 1)))``.
    """
    if pe.pairs < MIN_REUSED_PAIRS:
        return 0.0
    return line_score(reuse_evidence(pe))


# -- copied wording spread over several passages of one source ---------------------------------------

def spread_evidence(passages: Sequence[PassageEvidence]) -> PassageEvidence:
    """The copied wording of several passages of one source, read as one passage.

    An extractive summary or a rewrite that keeps some sentences word for word moves them: each
    passage then holds one or two copied sentences, below the copied-wording line on its own, although
    together they show what no independent report has. Counts add up; the longest run is the longest.
    """
    if not passages:
        return PassageEvidence(pairs=0, strong=0, mean_similarity=0.0, shared_words=0, copied_words=0,
                               longest_run=0, quoted_share=0.0)
    pairs = sum(p.pairs for p in passages)
    return PassageEvidence(
        pairs=pairs, strong=sum(p.strong for p in passages),
        mean_similarity=sum(p.mean_similarity * p.pairs for p in passages) / pairs if pairs else 0.0,
        shared_words=sum(p.shared_words for p in passages),
        copied_words=sum(p.copied_words for p in passages),
        longest_run=max(p.longest_run for p in passages),
        quoted_share=sum(p.quoted_share * p.pairs for p in passages) / pairs if pairs else 0.0,
        copied_pairs=sum(p.copied_pairs for p in passages), words=sum(p.words for p in passages),
        kept_pairs=sum(p.kept_pairs for p in passages))


def spread_score(pe: PassageEvidence) -> float:
    """Confidence in [0, 1] that copied wording spread over a source's passages was taken from it.

    The copied-wording line of :func:`reuse_evidence` on :func:`spread_evidence` (the obfuscated-copy
    line is :func:`rewrite_score`'s business): at least :data:`VERBATIM_WORDS` words in identical runs
    outside quotations over at least three sentence pairs (:data:`VERBATIM_WORDS_TWO` over two; never
    over one: one shared sentence is not reuse, wherever it lies), with a run of :data:`VERBATIM_RUN`.
    """
    reach = copied_wording_ratio(pe)
    return line_score(reach) if reach else 0.0
# -- the content-block line: an obfuscated passage, content kept pair after pair -------------------

#: A sentence pair *keeps content* when it shares at least this many content words (stemmed,
#: stopwords out) outside quotations ...
CONTENT_PAIR_WORDS = 4
#: ... and they are at least this share of the content words of the shorter sentence.
CONTENT_PAIR_SHARE = 0.6
#: A passage reaches the *content-block* line with this many pairs that keep content among
#: :data:`CONTENT_BLOCK_WINDOW` consecutive pairs. Set on the ``fit`` halves of PAN 2013 and real-dev
#: (``benchmarks/reuse_lines.py``, docs/scores.md): there no passage of a same-event report, nor of a
#: PAN pair without reuse, had more than two.
CONTENT_BLOCK_PAIRS = 3
#: Consecutive pairs in which the content-keeping pairs are counted: an obfuscated copy keeps content
#: in a block, a sister story in a headline here and a background sentence there.
CONTENT_BLOCK_WINDOW = 5
#: The content-block ratio counts up to this much (a score of 0.92): kept content words are weaker
#: evidence than copied wording, and a lexical alignment reaching only this line is never conclusive
#: (``trace.CONCLUSIVE_SCORE``): it is still embedded, which aligns the sentences it reworded.
CONTENT_BLOCK_MAX = 1.3


def keeps_content(a_tokens: set[str], b_tokens: set[str]) -> bool:
    """Whether two aligned sentences (their content tokens outside quotations) keep one content.

    Randomly obfuscated and machine-translated copies shuffle, replace and inflect words, so no
    run of words survives, but most content words of a sentence do. Two reports of one event
    share a name, a number or a quote in a sentence, rarely most of what it says in other words.
    """
    shared = len(a_tokens & b_tokens)
    shortest = min(len(a_tokens), len(b_tokens))
    return shared >= CONTENT_PAIR_WORDS and shared >= CONTENT_PAIR_SHARE * shortest


def content_block_ratio(pe: PassageEvidence) -> float:
    """How far a passage reaches towards the content-block line: ``content_pairs / CONTENT_BLOCK_PAIRS``,
    at most :data:`CONTENT_BLOCK_MAX`.

    The line of obfuscated reuse (PAN's random and translation obfuscation) that a same-event
    report does not reach: three or more sentence pairs of one passage that each keep the content
    of the shorter sentence outside quotations (:func:`keeps_content`).
    """
    return min(pe.content_pairs / CONTENT_BLOCK_PAIRS, CONTENT_BLOCK_MAX)


#: A source reaches the *content-spread* line when this many sentence pairs of its passages, wherever
#: they lie, keep the content of the shorter sentence (:func:`keeps_content`) ...
CONTENT_SPREAD_PAIRS = 3
#: ... each with at least this many content words shared outside quotations (more than the
#: content-block line asks of a pair: pairs scattered over the text have no block to support them,
#: and a headline keeps its few words in any sister story). Set on the ``fit`` halves of PAN 2013
#: and real-dev, where no source that a same-event report or a PAN pair without reuse shares
#: passages with had more than two such pairs even at 4 words, and on the unspin-bench originals,
#: where a sister story (a reworded headline and two background sentences) reached three at 5
#: words (docs/benchmarks.md, "Seventh session").
CONTENT_SPREAD_WORDS = 6


def content_spread_score(pe: PassageEvidence) -> float:
    """Confidence in [0, 1] that a source whose passages keep content pair after pair was reused.

    Read on :func:`spread_evidence` of all a source's passages: an obfuscated copy cut by the
    page's other text into several short passages (or one-sentence cases, as PAN's random and
    translation obfuscation leaves them) keeps the content of sentence after sentence, each passage
    below the content-block line on its own. ``line_score(kept_pairs / CONTENT_SPREAD_PAIRS)``, the
    ratio capped at :data:`CONTENT_BLOCK_MAX` (kept content words are never conclusive); 0 when
    fewer than :data:`MIN_REUSED_PAIRS` pairs keep content.
    """
    if pe.kept_pairs < MIN_REUSED_PAIRS:
        return 0.0
    return line_score(min(pe.kept_pairs / CONTENT_SPREAD_PAIRS, CONTENT_BLOCK_MAX))


def _most_in_window(flags: Sequence[bool], width: int) -> int:
    """The most true flags among ``width`` consecutive ones."""
    return max((sum(flags[k:k + width]) for k in range(max(len(flags) - width + 1, 1))), default=0)


def chance_pair(pe: PassageEvidence) -> bool:
    """Whether a passage is a lone sentence pair too short to tell reuse from chance: fewer than
    :data:`CONTENT_PAIR_WORDS` content words shared outside quotations (a heading such as "Equal
    Employment Opportunity", a stock phrase). Reported next to a reused passage of the same source,
    such a pair is a chance neighbour, not part of what was taken.
    """
    return pe.pairs == 1 and pe.shared_words < CONTENT_PAIR_WORDS


def drop_chance_pairs(passages: Sequence[Passage],
                      evidence: Callable[[Passage], PassageEvidence]) -> list[Passage]:
    """The passages of a source that shares passages with the suspect (not a copy of it), less its
    chance neighbours: lone sentence pairs too short to carry evidence (:func:`chance_pair`).
    Never all of them.

    Args:
        passages: the passages reported for the source.
        evidence: the :func:`passage_evidence` of a passage (the caller's cache).
    """
    kept = [p for p in passages if not (len(p.pairs) == 1 and chance_pair(evidence(p)))]
    return kept or list(passages)
