"""The decision: is a suspect a copy of a candidate, or an independent report on the same topic?

Topic overlap does not decide it (independent reports of one event share names, numbers and a
quote or two). What a copy has and a same-event report lacks is *sequence*: a copy renders the
source sentence after sentence, in order, with few gaps. The features below measure that on the
alignment, and a logistic function turns them into a score in [0, 1] whose threshold is 0.5.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from unspin.results import Passage, SentencePair
from unspin.text.normalize import content_tokens, fold

#: Logistic weights of :func:`copy_score`, calibrated on unspin-bench (see docs/scores.md for how).
WEIGHTS = {
    "bias": -8.0,
    "aligned_share": 2.5,
    "mean_similarity": 1.5,
    "strong_share": 2.0,
    "adjacent_share": 2.5,
    "strong_run": 0.85,
}
#: Pair similarity from which an aligned sentence counts as strongly aligned (in full: a pair just
#: below counts in part, :func:`strong_weight`).
STRONG = 0.7
#: Width of the ramp below :data:`STRONG` over which a pair turns from not strong (0 at
#: ``STRONG - STRONG_WIDTH``) to strong (1 at :data:`STRONG`). A hard line made every count of strong
#: pairs a cliff: bfloat16 embeddings move a similarity by up to 2e-3, and one pair crossing 0.7 moved a
#: same-event report's score from 0.17 to 0.42. Over 0.02 such a move changes a count by 0.1 at most.
#: The ramp lies below the line, not across it, so that every pair the lines were drawn with as strong
#: (0.7 or more) still counts in full: a copy the decision found is still found. It is narrow because
#: pairs just below the line are many in a long page on the same topic: over 0.05 (from 0.65), a PAN
#: pair without reuse reached the copy line (docs/scores.md, "Strong pairs are counted gradually").
STRONG_WIDTH = 0.02
#: Runs longer than this add no further evidence.
RUN_CAP = 8
#: The strong run is measured against what the suspect allows, but never against fewer sentences
#: than this: three sentences that resemble three of a same-event report are not a full run.
MIN_RUN_BASIS = 4


def strong_weight(similarity: float) -> float:
    """How much one sentence pair counts as strongly aligned, in [0, 1].

    0 at or below ``STRONG - STRONG_WIDTH``, 1 at or above :data:`STRONG`, linear between: a count of
    strong pairs then moves by as little as their similarities do, instead of by a whole pair when
    one similarity crosses the line.
    """
    return min(max((similarity - STRONG) / STRONG_WIDTH + 1.0, 0.0), 1.0)


def strong_count(similarities: Iterable[float]) -> float:
    """How many pairs of these similarities are strongly aligned, each weighed by :func:`strong_weight`."""
    return sum(strong_weight(s) for s in similarities)


def _strong_sentences(pairs: Iterable[SentencePair]) -> float:
    """Strongly aligned suspect sentences among ``pairs``: each sentence once, weighed by its best pair."""
    best: dict[tuple[int, int], float] = {}
    for pair in pairs:
        best[pair.suspect] = max(best.get(pair.suspect, 0.0), strong_weight(pair.similarity))
    return sum(best.values())


@dataclass(frozen=True)
class Evidence:
    """Alignment features of one suspect/candidate pair.

    Attributes:
        aligned: suspect sentences aligned to the candidate.
        sentences: suspect sentences considered (boilerplate and sentences already explained
            by a better source excluded).
        run: the largest number of suspect sentences in one passage (an in-order stretch with
            gaps of at most two sentences).
        mean_similarity: mean similarity of the aligned sentence pairs, in [0, 1].
        coverage: share of the considered suspect characters inside passages, in [0, 1].
        strong: strongly aligned suspect sentences, each weighed by its best pair's
            :func:`strong_weight` (a pair at :data:`STRONG` or above counts 1, well below 0).
        adjacent: steps of the chain to the next sentence in both texts.
        strong_run: the largest (weighed) number of strongly aligned suspect sentences in one passage:
            a long stretch rendered closely is a copy however long the rest of the suspect is
            (a passage spliced into another story).
    """

    aligned: int
    sentences: int
    run: int
    mean_similarity: float
    coverage: float
    strong: float = 0.0
    adjacent: int = 0
    strong_run: float = 0.0

    @property
    def aligned_share(self) -> float:
        """Aligned sentences over considered sentences, in [0, 1]."""
        return self.aligned / self.sentences if self.sentences else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"aligned": self.aligned, "sentences": self.sentences, "run": self.run,
                "aligned_share": self.aligned_share, "mean_similarity": self.mean_similarity,
                "coverage": self.coverage, "strong_share": self.strong_share,
                "adjacent_share": self.adjacent_share, "strong_run": self.strong_run}

    @property
    def strong_share(self) -> float:
        """Strongly aligned sentences over considered sentences, in [0, 1]."""
        return self.strong / self.sentences if self.sentences else 0.0

    @property
    def adjacent_share(self) -> float:
        """Chain steps that advance one sentence in both texts over considered sentences, in [0, 1]."""
        return min(self.adjacent / self.sentences, 1.0) if self.sentences else 0.0


def evidence(passages: Sequence[Passage], *, sentences: int, chars: int,
             chain: Sequence[tuple[int, int]] = ()) -> Evidence:
    """Compute the decision features of an alignment.

    Args:
        passages: the passages of the alignment.
        chain: the aligned (suspect, source) sentence indices the passages were built from.
        sentences: how many suspect sentences were open to alignment.
        chars: how many suspect characters those sentences hold.
    """
    pairs = [p for passage in passages for p in passage.pairs]
    aligned = len({p.suspect for p in pairs})
    run = max((len({p.suspect for p in passage.pairs}) for passage in passages), default=0)
    mean = sum(p.similarity for p in pairs) / len(pairs) if pairs else 0.0
    covered = sum(p.suspect[1] - p.suspect[0] for p in {p.suspect: p for p in pairs}.values())
    coverage = min(covered / chars, 1.0) if chars else 0.0
    strong = _strong_sentences(pairs)
    adjacent = sum(1 for (i, j), (k, m) in itertools.pairwise(chain) if k == i + 1 and m == j + 1)
    strong_run = max((_strong_sentences(passage.pairs) for passage in passages), default=0.0)
    return Evidence(aligned=aligned, sentences=sentences, run=run, mean_similarity=mean, coverage=coverage,
                    strong=strong, adjacent=adjacent, strong_run=strong_run)


def copy_score(ev: Evidence) -> float:
    """Confidence in [0, 1] that the alignment shows a copy; at or above the decision threshold
    (:attr:`unspin.options.TraceOptions.threshold`) the candidate is a source.

    A logistic function of the shares of the considered suspect sentences that are aligned,
    strongly aligned and aligned in step with the source, the mean pair similarity, and the
    longest stretch of strongly aligned sentences (capped at :data:`RUN_CAP`). The strong run is
    measured against what the suspect allows: all of a 2-sentence suspect counts as a full run.
    """
    if ev.aligned == 0:
        return 0.0
    possible = min(max(ev.sentences, MIN_RUN_BASIS), RUN_CAP)
    strong_run = min(ev.strong_run * RUN_CAP / possible, RUN_CAP) if possible else 0.0
    z = (WEIGHTS["bias"] + WEIGHTS["aligned_share"] * ev.aligned_share
         + WEIGHTS["mean_similarity"] * ev.mean_similarity + WEIGHTS["strong_share"] * ev.strong_share
         + WEIGHTS["adjacent_share"] * ev.adjacent_share + WEIGHTS["strong_run"] * strong_run)
    return 1.0 / (1.0 + math.exp(-z))


# -- reused passages: what an independent report cannot have ---------------------------------------

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

    def as_dict(self) -> dict[str, float]:
        return {"pairs": self.pairs, "strong": self.strong, "mean_similarity": self.mean_similarity,
                "shared_words": self.shared_words, "copied_words": self.copied_words,
                "longest_run": self.longest_run, "quoted_share": self.quoted_share,
                "copied_pairs": self.copied_pairs, "content_pairs": self.content_pairs,
                "words": self.words, "second_copied": self.second_copied}

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
    shared = copied = longest = quoted = chars = copied_pairs = words = 0
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
                           second_copied=sorted(per_pair, reverse=True)[1] if len(per_pair) > 1 else 0)


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
#: Steepness of :func:`reuse_score` around the lines (evidence 1.25 times a line scores 0.88).
REUSE_STEEPNESS = 8.0
#: A reused passage has at least this many aligned sentence pairs: one shared sentence (a sister
#: article's background line, a statement both reports print) is never one.
MIN_REUSED_PAIRS = 2
#: Share of the suspect that an accepted source's passages must cover for the suspect to be a copy
#: of it (below, the two share reused passages).
COPY_COVERAGE = 0.5


def reuse_evidence(pe: PassageEvidence) -> float:
    """How far a passage reaches towards the reuse lines: 1.0 exactly on the nearer line.

    The largest of the copied-wording ratio (the smaller of ``copied_words / VERBATIM_WORDS`` (or
    ``VERBATIM_WORDS_TWO`` when only two pairs carry copied wording; 0 when fewer do) and
    ``longest_run / VERBATIM_RUN``) and the obfuscated-copy ratio (the smaller of
    ``strong / OBFUSCATED_STRONG`` and ``mean_similarity / OBFUSCATED_SIMILARITY``), the
    content-block ratio (:func:`content_block_ratio`) and the dense-wording ratio (:func:`dense_ratio`).
    """
    if pe.copied_pairs < MIN_REUSED_PAIRS:
        verbatim = 0.0
    else:
        words = VERBATIM_WORDS_TWO if pe.copied_pairs == MIN_REUSED_PAIRS else VERBATIM_WORDS
        verbatim = min(pe.copied_words / words, pe.longest_run / VERBATIM_RUN)
    obfuscated = min(pe.strong / OBFUSCATED_STRONG, pe.mean_similarity / OBFUSCATED_SIMILARITY)
    return max(verbatim, obfuscated, content_block_ratio(pe), dense_ratio(pe))


def dense_ratio(pe: PassageEvidence) -> float:
    """How far a passage reaches towards the dense-wording line: the smaller of
    ``copied_words / DENSE_WORDS`` and ``copied_share / DENSE_SHARE``; 0 unless at least two pairs
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
    return min(pe.copied_words / DENSE_WORDS, pe.copied_share / DENSE_SHARE)


def reuse_score(pe: PassageEvidence) -> float:
    """Confidence in [0, 1] that a passage was taken from the source; at or above the decision
    threshold (:attr:`unspin.options.TraceOptions.threshold`) the passage is reported as reused.

    0 for passages of fewer than :data:`MIN_REUSED_PAIRS` pairs. Otherwise a logistic function of
    :func:`reuse_evidence`, 0.5 exactly on a line: ``1 / (1 + exp(-REUSE_STEEPNESS * (evidence - 1)))``.
    """
    if pe.pairs < MIN_REUSED_PAIRS:
        return 0.0
    return 1.0 / (1.0 + math.exp(-REUSE_STEEPNESS * (reuse_evidence(pe) - 1.0)))


# -- rewritten copies: all the passages of one source read together ---------------------------------

#: *Rewritten copy* (an AI-style rewrite that reorders blocks, merges or splits sentences): over all the
#: passages of one source among the open suspect sentences, at least this many strongly aligned pairs
#: (weighed by :func:`strong_weight`: 1 from :data:`STRONG`; merged sentences read together) ...
REWRITE_STRONG = 5
#: ... at this mean similarity over every aligned pair of those passages ...
REWRITE_SIMILARITY = 0.76
#: ... covering at least this share of the open suspect sentences with strong pairs. Set on
#: unspin-bench and the `fit` half of real-dev (docs/scores.md): there, no same-event report had five
#: strong pairs at a mean above 0.72, nor a mean of 0.76 or more with more than three strong pairs.
REWRITE_SHARE = 0.4


@dataclass(frozen=True)
class RewriteEvidence:
    """How closely one source's passages, wherever they lie, render the suspect.

    The copy score reads *sequence*: a rewrite that moves blocks and condenses two or three
    sentences into one breaks the sequence into short passages, although nearly every sentence
    still renders one of the source's. Same-event reports share a few facts closely, not most
    sentences: so this counts the closely rendered sentences over all passages together.

    Attributes:
        pairs: aligned sentence pairs over the passages.
        strong: strongly aligned pairs, each weighed by :func:`strong_weight`.
        mean_similarity: mean similarity of all the pairs, in [0, 1].
        sentences: suspect sentences open to the source (the denominator of :attr:`strong_share`).
    """

    pairs: int
    strong: float
    mean_similarity: float
    sentences: int

    @property
    def strong_share(self) -> float:
        """Strong pairs over open suspect sentences, in [0, 1]."""
        return min(self.strong / self.sentences, 1.0) if self.sentences else 0.0


def rewrite_evidence(passages: Sequence[Passage], *, sentences: int) -> RewriteEvidence:
    """Compute :class:`RewriteEvidence` over all ``passages`` of one source (merged similarities).

    Args:
        passages: the passages of the source over the open suspect sentences, pairs standing for
            the sentences they merge.
        sentences: how many suspect sentences are open to the source.
    """
    sims = [p.similarity for passage in passages for p in passage.pairs]
    return RewriteEvidence(pairs=len(sims), strong=strong_count(sims),
                           mean_similarity=sum(sims) / len(sims) if sims else 0.0, sentences=sentences)


def rewrite_score(ev: RewriteEvidence) -> float:
    """Confidence in [0, 1] that the suspect is a rewrite of the source; at or above the decision
    threshold (:attr:`unspin.options.TraceOptions.threshold`) the candidate is a source.

    A logistic function (steepness :data:`REUSE_STEEPNESS`, 0.5 exactly on the line) of the smallest
    of ``strong / REWRITE_STRONG``, ``mean_similarity / REWRITE_SIMILARITY`` and
    ``strong_share / REWRITE_SHARE``; 0 when no pair is strong or no suspect sentence is open.
    """
    if ev.strong == 0 or ev.sentences == 0:
        return 0.0
    reach = min(ev.strong / REWRITE_STRONG, ev.mean_similarity / REWRITE_SIMILARITY,
                ev.strong_share / REWRITE_SHARE)
    return 1.0 / (1.0 + math.exp(-REUSE_STEEPNESS * (reach - 1.0)))


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
        copied_pairs=sum(p.copied_pairs for p in passages), words=sum(p.words for p in passages))


def spread_score(pe: PassageEvidence) -> float:
    """Confidence in [0, 1] that copied wording spread over a source's passages was taken from it.

    The copied-wording line of :func:`reuse_evidence` on :func:`spread_evidence` (the obfuscated-copy
    line is :func:`rewrite_score`'s business): at least :data:`VERBATIM_WORDS` words in identical runs
    outside quotations over at least three sentence pairs (:data:`VERBATIM_WORDS_TWO` over two; never
    over one: one shared sentence is not reuse, wherever it lies), with a run of :data:`VERBATIM_RUN`.
    """
    if pe.copied_pairs < MIN_REUSED_PAIRS:
        return 0.0
    words = VERBATIM_WORDS_TWO if pe.copied_pairs == MIN_REUSED_PAIRS else VERBATIM_WORDS
    reach = min(pe.copied_words / words, pe.longest_run / VERBATIM_RUN)
    return 1.0 / (1.0 + math.exp(-REUSE_STEEPNESS * (reach - 1.0)))
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
