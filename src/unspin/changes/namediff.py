"""Names and quotations in one aligned sentence pair: renamed, replaced, re-worded, cut, misattributed.

Names are runs of capitalised words (:meth:`TextView.is_name`). Two runs name one referent when
they share a word, are spellings of one name (:func:`unspin.changes.lexicon.same_name`: Putin / Poutine),
or are aliases (:func:`unspin.changes.lexicon.alias`: US / United States); a run with no counterpart that
sits where another run sat in the word alignment was replaced. Quotations are matched by their
words; the speaker of each is the name next to the nearest speech verb.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from unspin.changes.lexicon import GENERIC_HEADS, SPEECH_VERBS, alias, same_name, word_list
from unspin.changes.textview import CALENDAR, NAME_STOP, PairState, TextView, Token, keys_of
from unspin.documents import Span
from unspin.text.overlap import dice

__all__ = ["compare_names", "compare_quotes", "spelling_variant"]


_PRONOUNS = frozenset(word_list("he she they it we i you"))

#: Dice of their words above which a suspect quotation and a source quotation are taken for one.
QUOTE_MATCH_DICE = 0.3
#: Share of an unmatched source quotation's words still in the suspect sentence above which the
#: quotation marks alone went (a paraphrase), not the quotation.
QUOTE_WORDS_KEPT = 0.6
#: Share of an unmatched suspect quotation's words found in the source sentence above which the
#: copy put the source's own words in quotation marks.
QUOTE_WORDS_VERBATIM = 0.8


def compare_quotes(pair: PairState, suspect: Span, source: Span) -> None:
    qa, qb = pair.sus.quotes_in(suspect), pair.src.quotes_in(source)
    if not qa and not qb:
        return
    keys_a = [keys_of(pair.sus.words(q)) for q in qa]
    keys_b = [keys_of(pair.src.words(q)) for q in qb]
    scores = sorted(((dice(ka, kb), x, y) for x, ka in enumerate(keys_a) for y, kb in enumerate(keys_b)),
                    reverse=True)
    matched: dict[int, int] = {}
    for score, x, y in scores:
        if score >= QUOTE_MATCH_DICE and x not in matched and y not in matched.values():
            matched[x] = y
    for x, y in matched.items():
        # A quotation running over several pairs is compared once, in the pair where it opens.
        if suspect[0] <= qa[x][0] < suspect[1] or source[0] <= qb[y][0] < source[1]:
            _compare_quote(pair, qa[x], qb[y], keys_a[x], keys_b[y])
    around_a = set(keys_of(pair.a)) | {k for ka in keys_a for k in ka}
    for y, q in enumerate(qb):
        if y in matched.values() or not keys_b[y] or not source[0] <= q[0] < source[1]:
            continue
        if sum(k in around_a for k in keys_b[y]) >= QUOTE_WORDS_KEPT * len(keys_b[y]):
            continue  # the words are still there, only the quotation marks went: a paraphrase
        pair.add("quote-truncated", "factual", [], pair.b_in(q), "the quotation is left out of the copy", 0.6,
                 span_b=q)
    around_b = set(keys_of(pair.b)) | {k for kb in keys_b for k in kb}
    for x, q in enumerate(qa):
        if x in matched or not keys_a[x] or not suspect[0] <= q[0] < suspect[1]:
            continue
        verbatim = sum(k in around_b for k in keys_a[x]) >= QUOTE_WORDS_VERBATIM * len(keys_a[x])
        pair.add("quote-reworded", "factual", pair.a_in(q), [],
                 "words put in quotation marks that the source does not quote" if verbatim
                 else "a quotation the source sentence does not have", 0.7, span_a=q)

def _contiguous(short: list[str], long: list[str]) -> bool:
    n = len(short)
    return any(long[k:k + n] == short for k in range(len(long) - n + 1))


def spelling_variant(x: str, y: str) -> bool:
    """Two different words that are one word spelled otherwise (honour/honor, organise/organize)."""
    return x != y and min(len(x), len(y)) >= 4 and x[0] == y[0] and fuzz.ratio(x, y) >= 80


def _respell(ka: list[str], kb: list[str]) -> list[str]:
    """``ka`` with each word that is a spelling variant of a word of ``kb`` written as in ``kb``."""
    vocab = set(kb)
    return [k if k in vocab else next((w for w in kb if spelling_variant(k, w)), k) for k in ka]


def _compare_quote(pair: PairState, span_a: Span, span_b: Span, ka: list[str], kb: list[str]) -> None:
    wa, wb = pair.a_in(span_a), pair.b_in(span_b)
    if not wa or not wb:
        return  # the quotation lies mostly in a neighbouring pair, which compares it
    ka = _respell(ka, kb)
    if ka != kb:
        shorter = len(ka) < len(kb)
        if shorter and (_contiguous(ka, kb) or (set(ka) <= set(kb))):
            pair.add("quote-truncated", "factual", wa, wb,
                     f"quotation cut from {len(kb)} to {len(ka)} words", 0.9, span_a=span_a, span_b=span_b)
        else:
            pair.add("quote-reworded", "factual", wa, wb, "the quoted words differ from the source's", 0.95,
                     span_a=span_a, span_b=span_b)
    who_a, who_b = _speaker(pair.sus, pair.a, span_a), _speaker(pair.src, pair.b, span_b)
    if who_a is None or who_b is None:
        return
    if _same_entity(pair, who_a, who_b):
        return
    # Machine translation reorders clauses; only a speaker who is absent from the other side's
    # sentence, in place of one who is absent from ours, is a misattribution.
    keys_a, keys_b = set(keys_of(pair.a)), set(keys_of(pair.b))
    if any(t.key in keys_b for t in who_a) or any(t.key in keys_a for t in who_b):
        return
    ia = [pair.a.index(t) for t in who_a]
    ib = [pair.b.index(t) for t in who_b]
    speaker_a = pair.sus.text[who_a[0].start:who_a[-1].end]
    speaker_b = pair.src.text[who_b[0].start:who_b[-1].end]
    pair.add("quote-misattributed", "factual", ia, ib,
             f"the quotation is attributed to {speaker_a}, not {speaker_b}", 0.85)


_PREPOSITIONS = frozenset(word_list("to on in at for with from by of about"))


def _speaker(view: TextView, words: list[Token], quote: Span) -> list[Token] | None:
    """Who a quotation is attributed to: the name run next to the nearest speech verb, or None.

    The subject before the verb is tried first ("X said", "X told reporters"), then a name right
    after it ("..., said X"), never across a preposition ("said to ITV's Y": Y is not the speaker).
    A possessive name ("Brown's spokesman said") or a pronoun gives None: the speaker is unnamed.
    """
    outside = [k for k, t in enumerate(words) if not any(s <= t.start < e for s, e in view.quotes)]
    verbs = [k for k in outside if words[k].key in SPEECH_VERBS]
    if not verbs:
        return None
    verb = min(verbs, key=lambda k: min(abs(words[k].start - quote[0]), abs(words[k].start - quote[1])))
    allowed = set(outside)
    for lo, hi, step in ((verb - 1, max(-1, verb - 4), -1), (verb + 1, min(len(words), verb + 4), 1)):
        k = lo
        while k != hi and k in allowed:
            if words[k].key in _PRONOUNS or (step > 0 and words[k].key in _PREPOSITIONS):
                break
            if view.is_name(words[k]):
                run = _grow(view, words, k, allowed)
                last = words[run[-1]]
                if view.text[last.start:last.end].endswith(("'s", "’s")):
                    return None
                return [words[r] for r in run]
            k += step
    return None


def _grow(view: TextView, words: list[Token], k: int, allowed: set[int]) -> list[int]:
    """The run of adjacent name words around word ``k``."""
    run = [k]
    while run[-1] + 1 in allowed and view.is_name(words[run[-1] + 1]):
        run.append(run[-1] + 1)
    while run[0] - 1 in allowed and view.is_name(words[run[0] - 1]):
        run.insert(0, run[0] - 1)
    return run


def _runs(view: TextView, words: list[Token], other: list[Token], done: set[int]) -> list[list[int]]:
    """Runs of adjacent name words (indices).

    Words already explained (a quote's speaker) and words the other side has in lower case are
    left out. A capitalised word that starts a sentence counts as a name when it is one elsewhere
    in its text, or when the other side has a capitalised word spelled like it (Dobrew/Dobrev).
    """
    other_lower = {t.key for t in other if not t.capital}
    other_caps = {t.key for t in other if t.capital and t.key not in NAME_STOP}
    runs: list[list[int]] = []
    for k, tok in enumerate(words):
        named = view.is_name(tok) or (tok.capital and tok.key not in NAME_STOP and tok.key not in CALENDAR
                                      and any(same_name(tok.key, c) for c in other_caps))
        if not named or tok.key in other_lower or k in done:
            continue
        gap = view.text[words[k - 1].end:tok.start] if k else ""
        if runs and runs[-1][-1] == k - 1 and gap.strip() == "":
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def compare_names(pair: PairState) -> None:
    runs_a = _runs(pair.sus, pair.a, pair.b, pair.done_a)
    runs_b = _runs(pair.src, pair.b, pair.a, pair.done_b)
    keys_a = {part for r in runs_a for i in r for part in _parts(pair.a[i])}
    keys_b = {part for r in runs_b for j in r for part in _parts(pair.b[j])}
    open_a: list[list[int]] = []
    open_b = [r for r in runs_b if not any(_parts(pair.b[j]) & keys_a for j in r)]
    for run in runs_a:
        mine = {part for i in run for part in _parts(pair.a[i])}
        # The run naming the same entity shares the most words, the surname (last word) first:
        # "Russian President Vladimir Poutine" goes with "... Vladimir Putin", not "President Trump".
        shared = max(runs_b, default=None, key=lambda r: (sum(bool(_parts(pair.b[j]) & mine) for j in r),
                                                           pair.b[r[-1]].key == pair.a[run[-1]].key))
        if shared is not None and any(_parts(pair.b[j]) & mine for j in shared):
            _compare_runs(pair, run, shared)
        elif not any(_parts(pair.a[i]) & keys_b for i in run):
            open_a.append(run)
    # Runs with no word in common: another name for one referent (US / United States), spellings
    # of one name (Putin / Poutine), or another name in its place.
    for run_a in list(open_a):
        twin = next((rb for rb in open_b if _same_entity(pair, [pair.a[i] for i in run_a],
                                                          [pair.b[j] for j in rb])), None)
        if twin is not None:
            open_a.remove(run_a)
            open_b.remove(twin)
            _renamed(pair, run_a, twin, 1.0, why="another name for")
    for run_a in list(open_a):
        best = max(((max(same_name(pair.a[i].key, pair.b[j].key) for i in run_a for j in rb), rb)
                    for rb in open_b), default=(0.0, None), key=lambda x: x[0])
        if best[1] is not None and best[0] > 0:
            open_a.remove(run_a)
            open_b.remove(best[1])
            _renamed(pair, run_a, best[1], best[0])
    for run_a in open_a:
        if all(pair.a[i].key in GENERIC_HEADS for i in run_a):
            continue  # "the Committee" for "the Electoral Commission": a generic word, not a name
        region = pair.region_of_a.get(run_a[0])
        if region is None:
            continue
        same_region = [rb for rb in open_b if pair.region_of_b.get(rb[0]) == region
                       and not all(pair.b[j].key in GENERIC_HEADS for j in rb)]
        if not same_region:
            continue
        run_b = same_region[0]
        open_b.remove(run_b)
        i1, i2, j1, j2 = pair.regions[region]
        lone = len(same_region) == 1 and sum(1 for r in open_a if pair.region_of_a.get(r[0]) == region) == 1
        confidence = 0.9 if lone and max(i2 - i1, j2 - j1) <= 6 else 0.6
        pair.add("entity-replaced", "factual", run_a, run_b,
                 f"'{_words(pair.src, pair.b, run_b)}' replaced by '{_words(pair.sus, pair.a, run_a)}'",
                 confidence)


def _parts(token: Token) -> set[str]:
    """The key of a word and of its hyphen-joined parts ("Saumarez-Smith" matches "Smith")."""
    return {token.key, *token.key.split("-")} if "-" in token.key else {token.key}


def _words(view: TextView, words: list[Token], run: Sequence[int]) -> str:
    return view.text[words[run[0]].start:words[run[-1]].end]


def _compare_runs(pair: PairState, run_a: list[int], run_b: list[int]) -> None:
    """Two runs naming one entity: compare the words they do not share (surname position)."""
    kb = {part for j in run_b for part in _parts(pair.b[j])}
    ka = {part for i in run_a for part in _parts(pair.a[i])}
    only_a = [i for i in run_a if not _parts(pair.a[i]) & kb]  # "Swansea" is in "Swansea-born"
    only_b = [j for j in run_b if not _parts(pair.b[j]) & ka]
    pair.done_a.update(i for i in run_a if i not in only_a)
    pair.done_b.update(j for j in run_b if j not in only_b)
    if not only_a or not only_b:
        return
    if (all(pair.a[i].key in GENERIC_HEADS for i in only_a)
            or all(pair.b[j].key in GENERIC_HEADS for j in only_b)):
        return  # "Turner Prize" / "Turner Award": a generic word translated otherwise
    score = max(same_name(pair.a[i].key, pair.b[j].key) for i in only_a for j in only_b)
    shared_generic = all(pair.a[i].key in GENERIC_HEADS for i in run_a if i not in only_a)
    if score > 0:
        _renamed(pair, only_a, only_b, score)
    elif (only_a[-1] == run_a[-1] and only_b[-1] == run_b[-1]) or shared_generic:
        # The distinguishing word differs: a surname ("Helen Ward" / "Helen Pike"), or the proper
        # part of a name whose shared word is generic ("Corwen Trust" / "Harlow Trust"). A first
        # name or title beside a shared surname ("President Trump" / "Donald Trump") is not.
        pair.add("entity-replaced", "factual", only_a, only_b,
                 f"'{_words(pair.src, pair.b, only_b)}' replaced by '{_words(pair.sus, pair.a, only_a)}'",
                 0.8)


def _renamed(pair: PairState, run_a: list[int], run_b: list[int], score: float, *,
             why: str = "spelled") -> None:
    pair.add("entity-renamed", "cosmetic", run_a, run_b,
             f"'{_words(pair.src, pair.b, run_b)}' {why} '{_words(pair.sus, pair.a, run_a)}'",
             0.5 + score / 2)


def _stem_shared(a: str, b: str) -> bool:
    """One word begins with the other, five letters or more ("Labour" / "Labourists")."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 5 and long.startswith(short)


def _same_entity(pair: PairState, who_a: list[Token], who_b: list[Token]) -> bool:
    """Whether two name runs name one referent: a shared word, a spelling variant, or an alias."""
    if set(keys_of(who_a)) & set(keys_of(who_b)):
        return True
    if any(same_name(x.key, y.key) or _stem_shared(x.key, y.key) for x in who_a for y in who_b):
        return True
    names_a = {alias(pair.sus.text[who_a[0].start:who_a[-1].end]), *(alias(t.key) for t in who_a)}
    names_b = {alias(pair.src.text[who_b[0].start:who_b[-1].end]), *(alias(t.key) for t in who_b)}
    return bool((names_a & names_b) - {None})

