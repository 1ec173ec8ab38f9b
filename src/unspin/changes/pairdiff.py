"""Typed differences inside one aligned sentence pair (suspect sentence(s) vs source sentence(s)).

Each text is read once into a :class:`~unspin.changes.textview.TextView` (words with comparison keys,
proper-noun evidence, quotations). :func:`compare_pair` aligns the words of a pair (longest common
subsequence, rapidfuzz ``Indel``) and runs one detector per kind of change:

* look-alike letters (``confusable``, always cosmetic);
* numbers, amounts, percentages, times and dates, parsed by :mod:`unspin.changes.values`, compared by value;
* quotations and names (:mod:`unspin.changes.namediff`): re-worded, truncated or misattributed quotes;
  the same referent spelled otherwise (renamed) or another referent in its place (replaced);
* negation added or lost, and stance words swapped (accepted -> learned, rose -> fell); a lost
  negation that comes with the opposite stance word, or with a word that negates by meaning
  (failed, unable, undisclosed), is a paraphrase and cancels out;
* whatever differs and none of the above explains: one ``wording`` change per pair.
"""

from __future__ import annotations

from unspin.changes.change import Change
from unspin.changes.lexicon import (
    IMPLICIT_NEGATORS,
    OPPOSED,
    WEAKENING,
    negation_words,
    negative_affix,
    stance_classes,
)
from unspin.changes.namediff import compare_names, compare_quotes, spelling_variant
from unspin.changes.textview import ALIGN_BASE, PairState, TextView, Token, keys_of
from unspin.changes.values import Quantity, compare_quantities, find_quantities, same_value
from unspin.documents import Span

__all__ = ["compare_pair", "spelling_variant"]


def compare_pair(sus: TextView, src: TextView, suspect: Span, source: Span, *,
                 similarity: float = 1.0) -> list[Change]:
    """Typed changes between the suspect words in ``suspect`` and the source words in ``source``.

    Args:
        sus, src: the two texts, read once by :class:`TextView`.
        suspect, source: the aligned spans (one sentence, or a run of 1-2 sentences, each side).
        similarity: the pair's alignment similarity in [0, 1]; confidences are multiplied by
            ``min(1, ALIGN_BASE + similarity)`` since a weak pair may be a wrong pairing.

    Returns:
        The changes, in no particular order (the caller sorts them).
    """
    pair = PairState(sus, src, sus.words(suspect), src.words(source), min(1.0, ALIGN_BASE + similarity))
    if not pair.a or not pair.b:
        return []
    _confusables(pair)
    _numbers(pair, suspect, source)
    compare_quotes(pair, suspect, source)
    compare_names(pair)
    _meaning(pair)
    _wording(pair)
    return pair.out


# --- detectors --------------------------------------------------------------------------------

def _confusables(pair: PairState) -> None:
    for i, tok in enumerate(pair.a):
        if tok.confusables:
            n = tok.confusables
            pair.out.append(Change(
                "confusable", "cosmetic", (tok.start, tok.end), None, pair.sus.text[tok.start:tok.end], "",
                f"{n} look-alike letter{'s' if n > 1 else ''} from another script (reads as '{tok.key}')",
                1.0))
            if i not in pair.region_of_a:
                pair.done_a.add(i)


def _quantities(view: TextView, span: Span) -> list[Quantity]:
    # Read from the text with look-alikes replaced: "2.4 mіllion" (Cyrillic і) equals "2.4 million"
    # (the look-alikes are reported as confusables); change texts are cut from the real text.
    found = find_quantities(view.plain[span[0]:span[1]])
    return [Quantity(q.start + span[0], q.end + span[0], q.text, q.kind, q.value, q.unit, q.precision,
                     q.alternatives, q.date) for q in found]


def _numbers(pair: PairState, suspect: Span, source: Span) -> None:
    qa, qb = _quantities(pair.sus, suspect), _quantities(pair.src, source)
    if not qa and not qb:
        return
    used: set[int] = set()
    left_b: list[Quantity] = []
    for b in qb:
        match = next((k for k, a in enumerate(qa) if k not in used
                      and compare_quantities(a, b) in ("equal", "reformatted", "rounded")), None)
        if match is None:
            left_b.append(b)
            continue
        used.add(match)
        a = qa[match]
        verdict = compare_quantities(a, b)
        ia, ib = pair.a_in((a.start, a.end)), pair.b_in((b.start, b.end))
        if verdict == "equal":
            pair.done_a.update(ia)
            pair.done_b.update(ib)
        elif verdict == "reformatted":
            pair.add("number-reformatted", "cosmetic", ia, ib,
                     f"'{b.text}' written as '{a.text}' (same value)",
                     1.0, span_a=(a.start, a.end), span_b=(b.start, b.end))
        else:
            pair.add("number-reformatted", "wording", ia, ib, f"'{b.text}' rounded to '{a.text}'"
                     if a.precision >= b.precision else f"'{b.text}' given more precisely as '{a.text}'",
                     0.9, span_a=(a.start, a.end), span_b=(b.start, b.end))
    left_a = [a for k, a in enumerate(qa) if k not in used]
    for b in left_b:
        rel_b = (b.start - source[0]) / max(source[1] - source[0], 1)
        options = [a for a in left_a if compare_quantities(a, b) == "changed"]
        if not options:
            continue
        a = min(options, key=lambda q: abs((q.start - suspect[0]) / max(suspect[1] - suspect[0], 1) - rel_b))
        left_a.remove(a)
        pair.add("number-changed", "factual", pair.a_in((a.start, a.end)), pair.b_in((b.start, b.end)),
                 f"'{b.text}' in the source became '{a.text}'", 1.0, span_a=(a.start, a.end),
                 span_b=(b.start, b.end))
    # A figure the copy adds that the source does not state anywhere near: possibly invented.
    for a in left_a:
        # Only amounts, percentages and counts of 100 or more: translation adds small numbers and
        # times in paraphrase ("around the clock" -> "24 hours on 24").
        notable = a.kind in ("money", "percent") or (a.kind == "number" and a.value >= 100)
        if not notable or not any(ch.isdigit() for ch in a.text) or _stated_in(pair.src, a, source):
            continue
        ia = pair.a_in((a.start, a.end))
        pair.add("number-changed", "factual", ia, [], f"'{a.text}' is not in the source sentence", 0.7,
                 span_a=(a.start, a.end))


def _stated_in(view: TextView, q: Quantity, near: Span) -> bool:
    """Whether ``view`` states the value of ``q`` (in any unit) within a few sentences of ``near``."""
    lo, hi = max(0, near[0] - 400), min(len(view.text), near[1] + 400)
    return any(same_value(q, other) or compare_quantities(q, other) == "rounded"
               for other in _quantities(view, (lo, hi)))

def _meaning(pair: PairState) -> None:
    """Negation added or lost, and stance words swapped; a paraphrase that does both cancels out."""
    keys_a, keys_b = keys_of(pair.a), keys_of(pair.b)
    # Negators are counted twice: over all words, and leaving out words inside quotations (a changed
    # quotation is a quote change). A negation is lost or added only when both counts say so:
    # quotation marks dropped by the copy, or a sentence split that cuts a quotation elsewhere,
    # change one count and not the other.
    all_a, all_b = negation_words(keys_a), negation_words(keys_b)
    inside_a, inside_b = _quoted(pair.sus, pair.a), _quoted(pair.src, pair.b)
    neg_a = [i for i in all_a if i not in inside_a]
    neg_b = [j for j in all_b if j not in inside_b]
    stance = _stance_swaps(pair)
    delta, delta_all = len(neg_b) - len(neg_a), len(all_b) - len(all_a)
    delta = 0 if delta * delta_all <= 0 else (min(delta, delta_all) if delta > 0 else max(delta, delta_all))
    # "did not keep up" -> "failed to keep up": a word that negates by meaning offsets a negator.
    implicit_a = _implicit_negations(pair.region_of_a, keys_a, keys_b)
    implicit_b = _implicit_negations(pair.region_of_b, keys_b, keys_a)
    opposed = [s for s in stance if s[2]]
    if opposed and (abs(delta) == 1 or _implicit_besides(pair, opposed[0], keys_a, keys_b)):
        # "did not accept" -> "rejected", "failed" -> "did not succeed": a negation (or a word that
        # negates by meaning) and one opposite stance word cancel out.
        i, j, _ = opposed[0]
        stance.remove(opposed[0])
        pair.done_a.update([i, *neg_a])
        pair.done_b.update([j, *neg_b])
        delta = 0
    if delta > 0:
        delta = max(0, delta - implicit_a)
    elif delta < 0:
        delta = min(0, delta + implicit_b)
    if delta > 0:
        moved = [j for j in neg_b if j in pair.region_of_b] or neg_b
        for j in moved[:delta]:
            pair.add("negation-lost", "factual", [], [j], f"'{pair.b[j].key}' of the source is gone",
                     0.9, span_a=pair.anchor_a(j))
    elif delta < 0:
        moved = [i for i in neg_a if i in pair.region_of_a] or neg_a
        for i in moved[:-delta]:
            pair.add("negation-added", "factual", [i], [], f"'{pair.a[i].key}' is not in the source",
                     0.9, span_b=pair.anchor_b(i))
    for i, j, contrary in stance:
        pair.add("stance-changed", "factual", [i], [j],
                 f"'{pair.src.text[pair.b[j].start:pair.b[j].end]}' became "
                 f"'{pair.sus.text[pair.a[i].start:pair.a[i].end]}'", 0.9 if contrary else 0.75)
    pair.done_a.update(neg_a)
    pair.done_b.update(neg_b)


def _implicit_besides(pair: PairState, swap: tuple[int, int, bool], keys_a: list[str],
                      keys_b: list[str]) -> bool:
    """Whether a word other than the swapped stance words negates by meaning ("without success")."""
    i, j, _ = swap
    region_a = {k: n for k, n in pair.region_of_a.items() if k != i}
    region_b = {k: n for k, n in pair.region_of_b.items() if k != j}
    return bool(_implicit_negations(region_a, keys_a, keys_b) or _implicit_negations(region_b, keys_b, keys_a)
                or negation_words([keys_a[k] for k in region_a])
                or negation_words([keys_b[k] for k in region_b]))


def _quoted(view: TextView, words: list[Token]) -> set[int]:
    """Indices of the words (of ``view``) that lie inside a quotation."""
    quoted = view.quoted
    return {k for k, t in enumerate(words) if t.start in quoted}


def _implicit_negations(region: dict[int, int], keys: list[str], other: list[str]) -> int:
    """Words among the differing ones that negate by meaning: "failed", "unable", "yet", or a
    negative prefix whose positive word the other side has ("undisclosed" / "not disclosed")."""
    others = set(other)
    count = 0
    for i in region:
        positive = negative_affix(keys[i])
        if keys[i] in IMPLICIT_NEGATORS or (positive is not None and (keys[i].startswith(("un", "non"))
                                                                      or positive in others)):
            count += 1
    return count


def _stance_swaps(pair: PairState) -> list[tuple[int, int, bool]]:
    """Stance words of the source with no word of their class in the copy, paired with copy stance
    words of another class: ``(suspect index, source index, classes contradict)``."""
    inside_a, inside_b = _quoted(pair.sus, pair.a), _quoted(pair.src, pair.b)
    classes_a = {i: stance_classes(t.key) for i, t in enumerate(pair.a) if i not in inside_a}
    classes_b = {j: stance_classes(t.key) for j, t in enumerate(pair.b) if j not in inside_b}
    classes_a = {i: c for i, c in classes_a.items() if c}
    classes_b = {j: c for j, c in classes_b.items() if c}
    have_a = set().union(*classes_a.values()) if classes_a else set()
    have_b = set().union(*classes_b.values()) if classes_b else set()
    lost = [j for j, c in classes_b.items() if not c & have_a]
    new = [i for i, c in classes_a.items() if not c & have_b]
    out: list[tuple[int, int, bool]] = []
    for j in lost:
        contrary = [i for i in new
                    if any(frozenset((x, y)) in OPPOSED for x in classes_a[i] for y in classes_b[j])]
        weaker = [i for i in new if any((y, x) in WEAKENING for x in classes_a[i] for y in classes_b[j])]
        if not contrary and not weaker:
            continue  # another stance word, neither contrary nor weaker: left to wording
        i = (contrary or weaker)[0]
        new.remove(i)
        out.append((i, j, bool(contrary)))
    return out


def _wording(pair: PairState) -> None:
    """One ``wording`` change for the differing words no other change explains; cosmetic when
    every one of them is a spelling variant of a word on the other side (honour/honor)."""
    left_a = sorted(i for i in pair.region_of_a if i not in pair.done_a)
    left_b = sorted(j for j in pair.region_of_b if j not in pair.done_b)
    if not left_a and not left_b:
        return
    keys_b = [pair.b[j].key for j in left_b]
    keys_a = [pair.a[i].key for i in left_a]
    spelled = (len(left_a) == len(left_b)
               and all(any(spelling_variant(k, w) for w in keys_b) for k in keys_a)
               and all(any(spelling_variant(w, k) for k in keys_a) for w in keys_b))
    if spelled:
        pair.add("wording", "cosmetic", left_a, left_b, "spelling variants only", 1.0)
        return
    total = max(len(pair.a), len(pair.b))
    changed = max(len(left_a), len(left_b))
    pair.add("wording", "wording", left_a, left_b, f"{changed} of {total} words reworded", 1.0)
