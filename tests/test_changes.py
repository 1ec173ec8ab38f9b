"""Tests of the change report: unspin.changes.change, lexicon, textview, pairdiff, namediff, docdiff,
and rendering.

Pairs are invented here; each test aligns them with the lexical aligner (no model) and checks
the typed changes. The change-annotated fixtures in ``tests/fixtures/changes`` are used as a
regression gate on the factual changes, on the development pairs and the held-out pairs apart.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin import Comparer, Document, compare
from unspin.changes.change import KINDS, Change, sort_changes, summarize
from unspin.changes.docdiff import detect_changes
from unspin.changes.lexicon import alias, negation_words, phonetic, same_name, stance_classes
from unspin.changes.textview import TextView
from unspin.report.render import load_schema, render_html, render_json, render_text
from unspin.results import Passage
from unspin.text.segment import split_sentences
from unspin.tracing.align import SEED_THRESHOLD, chain, passages, similarity_matrix, units_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from benchlib import json_files_sha256

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "changes"
#: The factual-change targets, held by each split of the annotated pairs on its own. ``dev``: the
#: 55 pairs written first, on which the detectors were tuned. ``held-out``: 12 pairs written
#: afterwards, measured once before any further change, and never tuned on: a detector is tuned
#: on dev only, and held-out says whether that generalises. Pooled (as this gate was until
#: 2026-12-03), the larger dev set could hide a held-out regression.
FACTUAL_TARGETS = {"dev": {"precision": 0.8, "recall": 0.9}, "held-out": {"precision": 0.8, "recall": 0.9}}
#: sha256 of the held-out pairs (benchlib.json_files_sha256). They are frozen: editing one to
#: suit the detectors would be tuning on it. A new held-out pair, written before any change is
#: tuned on it, may be added (with its first measurement in docs/benchmarks.md) and this updated.
HELD_OUT_SHA256 = "d6d34143335aee45701f1eb354f743da1677ac80e4041a48b42f63821a8170e6"
FACTUAL = {"number-changed", "entity-replaced", "quote-misattributed", "quote-reworded", "quote-truncated",
           "negation-lost", "negation-added", "stance-changed", "sentence-added"}


def align(copy: str, source: str) -> list[Passage]:
    a, b = units_of(split_sentences(copy)), units_of(split_sentences(source))
    sim = similarity_matrix(a, b)
    return passages(chain(sim, threshold=SEED_THRESHOLD), sim, a, b)


def changes_of(copy: str, source: str) -> list[Change]:
    return list(detect_changes(copy, source, align(copy, source)))


def kinds(changes: Sequence[Change]) -> list[str]:
    return [c.kind for c in changes if c.kind != "wording"]


def find(changes: Sequence[Change], kind: str) -> Change:
    hits = [c for c in changes if c.kind == kind]
    assert len(hits) == 1, [(c.kind, c.suspect_text, c.source_text) for c in changes]
    return hits[0]


SOURCE = ("The council of Marrow Bay approved a budget of £1.3bn on Tuesday. "
          "Council leader Ines Okafor said the town had no plans to raise taxes. "
          "The opposition leader, Tom Briggs, rejected the plan.")


# ------------------------------------------------------------------------------------ per kind

def test_number_reformatted_is_cosmetic_and_changed_is_factual() -> None:
    copy = ("The council of Marrow Bay approved a budget of 1.3 billion pounds on Tuesday. "
            "Council leader Ines Okafor said the town had no plans to raise taxes. "
            "The opposition leader, Tom Briggs, rejected the plan.")
    change = find(changes_of(copy, SOURCE), "number-reformatted")
    assert change.severity == "cosmetic"
    assert (change.suspect_text, change.source_text) == ("1.3 billion pounds", "£1.3bn")
    assert copy[change.suspect[0]:change.suspect[1]] == change.suspect_text  # type: ignore[index]
    changed = find(changes_of(copy.replace("1.3 billion", "3.1 billion"), SOURCE), "number-changed")
    assert changed.severity == "factual" and changed.source_text == "£1.3bn"


def test_negation_lost_and_added() -> None:
    lost = SOURCE.replace("had no plans", "had plans")
    change = find(changes_of(lost, SOURCE), "negation-lost")
    assert change.severity == "factual" and change.source_text == "no" and change.suspect is not None
    added = SOURCE.replace("approved a budget", "did not approve a budget")
    assert find(changes_of(added, SOURCE), "negation-added").suspect_text == "not"


def test_paraphrased_negation_is_not_a_change() -> None:
    copy = SOURCE.replace("rejected the plan", "did not accept the plan")
    assert not [c for c in changes_of(copy, SOURCE) if c.severity == "factual"]
    copy = SOURCE.replace("had no plans to", "failed to make plans to")
    assert "negation-lost" not in kinds(changes_of(copy, SOURCE))


def test_stance_reversed_and_weakened() -> None:
    copy = SOURCE.replace("rejected the plan", "accepted the plan")
    change = find(changes_of(copy, SOURCE), "stance-changed")
    assert (change.suspect_text, change.source_text) == ("accepted", "rejected") and change.confidence >= 0.8
    weaker = "Ministers accepted the assurances of the Kestrian delegation on Friday in Vela."
    copy = "Ministers learned the assurances of the Kestrian delegation on Friday in Vela."
    assert find(changes_of(copy, weaker), "stance-changed").suspect_text == "learned"


def test_entity_renamed_vs_replaced() -> None:
    renamed = SOURCE.replace("Ines Okafor", "Ines Okaffor").replace("Tom Briggs", "Tom Brigs")
    found = changes_of(renamed, SOURCE)
    assert kinds(found).count("entity-renamed") == 2
    assert all(c.severity == "cosmetic" for c in found if c.kind == "entity-renamed")
    replaced = SOURCE.replace("Ines Okafor", "Martin Hale")
    change = find(changes_of(replaced, SOURCE), "entity-replaced")
    assert (change.suspect_text, change.source_text) == ("Martin Hale", "Ines Okafor")
    assert change.severity == "factual"


def test_transliterated_names_and_aliases_are_renames() -> None:
    source = "Russian President Vladimir Putin met US officials in Hamburg on Friday."
    copy = "Russian President Vladimir Poutine met officials of the United States in Hamburg on Friday."
    found = changes_of(copy, source)
    assert "entity-replaced" not in kinds(found)
    assert {c.suspect_text for c in found if c.kind == "entity-renamed"} == {"Poutine", "United States"}


def test_quote_reworded_truncated_and_misattributed() -> None:
    source = ('The mayor spoke on Monday. '
              '"We will build the bridge, and we will pay for it," said mayor Ada Lund. '
              "The vote is on Friday.")
    reworded = source.replace("we will pay for it", "the state will pay for it")
    change = find(changes_of(reworded, source), "quote-reworded")
    assert change.suspect_text == "We will build the bridge, and the state will pay for it,"
    truncated = source.replace(", and we will pay for it,", ",")
    assert find(changes_of(truncated, source), "quote-truncated").suspect_text == "We will build the bridge,"
    moved = source.replace("said mayor Ada Lund", "said councillor Bo Wick")
    change = find(changes_of(moved, source), "quote-misattributed")
    assert (change.suspect_text, change.source_text) == ("Bo Wick", "Ada Lund")


def test_quote_with_spelling_variants_only_is_not_reworded() -> None:
    source = 'He said: "We honour the agreement and the programme." Talks end on Friday.'
    copy = 'He said: "We honor the agreement and the program." Talks end on Friday.'
    found = changes_of(copy, source)
    assert not [c for c in found if c.severity == "factual"]
    assert all(c.severity == "cosmetic" for c in found)


def test_sentences_omitted_and_added_and_boilerplate() -> None:
    source = ("Flood barrier opens in Kelby\n\n"
              "The new flood barrier in Kelby opened on Monday after three years. "
              "It cost 40 million pounds. Engineers say it will protect 2,000 homes. "
              "The river rose to a record height last winter.")
    copy = ("Flood barrier opens in Kelby\n\nFlood barrier opens in Kelby\n\n"
            "The new flood barrier in Kelby opened on Monday after three years. It cost 40 million pounds. "
            "Residents claim the contractor was paid twice by the mayor's office. "
            "The river rose to a record height last winter.\n\nLeave a Reply")
    found = changes_of(copy, source)
    assert find(found, "sentence-omitted").source_text == "Engineers say it will protect 2,000 homes."
    added = find(found, "sentence-added")
    assert added.severity == "factual" and added.suspect_text.startswith("Residents claim")
    boiler = [c for c in found if c.kind == "boilerplate-added"]
    assert len(boiler) == 2 and all(c.severity == "cosmetic" and c.source is None for c in boiler)


def test_homoglyphs_are_cosmetic_confusables() -> None:
    copy = SOURCE.replace("approved", "аpprоved").replace("Okafor", "Okаfor")  # Cyrillic а, о
    found = changes_of(copy, SOURCE)
    assert kinds(found) == ["confusable", "confusable"]
    assert all(c.severity == "cosmetic" for c in found)
    assert found[0].suspect_text == "аpprоved"


# ----------------------------------------------------------------------------- properties

_WORDS = ["council", "budget", "harbour", "ferry", "minister", "report", "plan", "school", "hospital", "road",
          "bridge", "river", "village", "market", "union", "strike", "vote", "tax", "price", "water",
          "energy"]
_ARTICLE = [
    "The harbour council of Eastmere voted on Tuesday to close the old ferry pier.",
    "Repairs would have cost 2.4 million pounds, the council's treasurer said.",
    'Councillor Maren Okafor said: "We had no choice."',
    "The pier was built in 1911 and failed its last two safety inspections.",
    "A public meeting is planned for 14 March at the library.",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=4, max_size=12), st.integers(min_value=0, max_value=2**16))
def test_homoglyph_copies_never_yield_factual_changes(extra: list[str], seed: int) -> None:
    source = " ".join(_ARTICLE) + " The " + " ".join(extra) + " grew."
    rng = random.Random(seed)
    look = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і"}
    copy = "".join(look[ch] if ch in look and rng.random() < 0.2 else ch for ch in source)
    found = changes_of(copy, source)
    assert all(c.severity == "cosmetic" and c.kind == "confusable" for c in found)


@settings(max_examples=30, deadline=None)
@given(st.permutations(_ARTICLE))
def test_an_identical_copy_has_no_changes(sentences: list[str]) -> None:
    text = " ".join(sentences)
    assert changes_of(text, text) == []


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Cd.,\"'«»0123456789%£\n")), max_size=200))
def test_arbitrary_text_never_breaks_detection(noise: str) -> None:
    source = " ".join(_ARTICLE)
    for change in changes_of(source + " " + noise, source):
        assert change.kind in KINDS and 0.0 <= change.confidence <= 1.0
        if change.suspect is not None:
            assert change.suspect_text == (source + " " + noise)[change.suspect[0]:change.suspect[1]]


# ----------------------------------------------------------------------------- vocabulary

def test_lexicon() -> None:
    assert phonetic("Poutine") == phonetic("Putin")
    assert same_name("Pouten", "Putin") > 0 and same_name("Iran", "Iraq") == 0
    assert same_name("Austria", "Australia") == 0 and same_name("Lawrow", "Lavrov") == 1.0
    assert alias("United States") == alias("American") == alias("U.S.") == "us"
    assert alias("Putin") is None
    assert negation_words(["it", "is", "not", "only", "cheap", "but", "no", "doubt", "good"]) == []
    assert negation_words(["we", "did", "n't", "know", "and", "never", "will"]) == [2, 5]
    assert "agree" in stance_classes("accepted") and "deny" in stance_classes("denied")


def test_quotations_in_any_style() -> None:
    text = ("Councillors called it 'a disgrace'. The teachers' pay and the council's 'new deal' stay. "
            "“Hi there,” he said. «Oui» and „Ja“ and \"straight\".")
    view = TextView(text)
    quoted = [text[s:e] for s, e in view.quotes]
    assert quoted == ["a disgrace", "new deal", "Hi there,", "Oui", "Ja", "straight"]


def test_change_dict_summary_and_order() -> None:
    a = Change("number-changed", "factual", (10, 12), (5, 7), "16", "14", "'14' became '16'", 0.9)
    b = Change("sentence-omitted", "wording", None, (0, 4), "", "Gone", "not in the copy", 0.8)
    c = Change("confusable", "cosmetic", (1, 3), None, "ао", "", "look-alikes", 1.0)
    assert a.to_dict() == {"kind": "number-changed", "severity": "factual", "suspect": [10, 12],
                           "source": [5, 7], "suspect_text": "16", "source_text": "14",
                           "explanation": "'14' became '16'", "confidence": 0.9}
    assert b.to_dict()["suspect"] is None
    assert sort_changes([a, b, c]) == (b, c, a)  # suspect order; an omitted sentence at its source offset
    summary = summarize([a, b, c], doc_ids=["x", "x", "x"])
    assert (summary["factual"], summary["wording"], summary["cosmetic"]) == (1, 1, 1)
    assert summary["factual_changes"] == [{"doc_id": "x", **a.to_dict()}]
    assert list(summary["kinds"]) == ["number-changed", "sentence-omitted", "confusable"]
    with pytest.raises(ValueError):
        summarize([a], doc_ids=[])


# ------------------------------------------------------------------------- annotated fixtures

def _matches(label: dict[str, Any], change: Change) -> bool:
    if label["kind"] != change.kind:
        return False
    sides = []
    for want, got in ((label["suspect"], change.suspect), (label["source"], change.source)):
        if want is not None and got is not None:
            sides.append(want[0] < got[1] and got[0] < want[1])
    return bool(sides) and all(sides)


def _split(name: str) -> list[Path]:
    return [p for p in sorted(FIXTURES.glob("*.json"))
            if json.loads(p.read_text(encoding="utf-8"))["split"] == name]


def test_every_annotated_pair_is_dev_or_held_out() -> None:
    paths = sorted(FIXTURES.glob("*.json"))
    splits = [json.loads(p.read_text(encoding="utf-8")).get("split") for p in paths]
    assert set(splits) == set(FACTUAL_TARGETS), {p.name: s for p, s in zip(paths, splits, strict=True)}
    assert (splits.count("dev"), splits.count("held-out")) >= (55, 12)


def test_held_out_pairs_are_never_edited() -> None:
    now = json_files_sha256(_split("held-out"))
    assert now == HELD_OUT_SHA256, (
        f"the held-out change pairs changed (sha256 {now}): they are never tuned on, so never edited "
        "to suit the detectors; a new held-out pair goes with its first measurement in docs/benchmarks.md")


@pytest.mark.parametrize("split", list(FACTUAL_TARGETS))
def test_annotated_pairs_meet_the_factual_targets(split: str) -> None:
    cases = [json.loads(p.read_text(encoding="utf-8")) for p in _split(split)]
    tp = fp = fn = 0
    for case in cases:
        assert all(lb["kind"] in KINDS for lb in case["changes"])
        found = [c for c in changes_of(case["copy"], case["source"]) if c.severity == "factual"]
        labels = [lb for lb in case["changes"] if lb["kind"] in FACTUAL]
        used: set[int] = set()
        for label in labels:
            hit = next((k for k, c in enumerate(found) if k not in used and _matches(label, c)), None)
            if hit is None:
                fn += 1
            else:
                used.add(hit)
                tp += 1
        fp += len(found) - len(used)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    measured = f"{split}: precision {precision:.3f}, recall {recall:.3f} ({tp} right, {fp} false, {fn} lost)"
    assert precision >= FACTUAL_TARGETS[split]["precision"], measured
    assert recall >= FACTUAL_TARGETS[split]["recall"], measured


def test_annotated_labels_point_at_their_text() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        for label in case["changes"]:
            for side, text in (("suspect", case["copy"]), ("source", case["source"])):
                if label[side] is not None:
                    start, end = label[side]
                    assert text[start:end] == label[side + "_text"], path.name


def test_detection_is_cheap_on_a_30_sentence_article() -> None:
    cases = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))[:8]]
    source = "\n\n".join(c["source"] for c in cases)
    copy = "\n\n".join(c["copy"] for c in cases)
    assert len(split_sentences(source)) >= 30
    found = align(copy, source)
    detect_changes(copy, source, found)  # warm the caches
    started = time.perf_counter()
    detect_changes(copy, source, found)
    # Measured ~10-20 ms on a 2-core machine; the bound only catches a blow-up.
    assert time.perf_counter() - started < 0.5


# ------------------------------------------------------------------ pipeline, JSON, rendering

class _NoEmbedder:
    """Embeds nothing: every cosine is 0, so the alignment is the lexical one (no model needed)."""

    name = "none"

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        return np.zeros((len(sentences), 8), dtype=np.float32)


@pytest.fixture(scope="module")
def traced() -> Any:
    source = SOURCE + " The budget will be voted on 4 April."
    copy = ("Marrow Bay budget\n\nMarrow Bay budget\n\n" + SOURCE.replace("no plans", "plans")
            .replace("Tom Briggs", "Tom Brigs").replace("£1.3bn", "£3.1bn")
            + ' The mayor said: "<b>taxes</b> & fees stay." The budget will be voted on 4 April.')
    return Comparer(embedder=_NoEmbedder()).compare(Document("copy", copy), Document("source", source))


def test_compare_fills_changes_for_the_accepted_source(traced: Any) -> None:
    assert traced.sources, "the copy should be accepted"
    got = {c.kind for c in traced.sources[0].changes}
    assert {"number-changed", "negation-lost", "entity-renamed", "boilerplate-added"} <= got
    assert all(not r.changes for r in traced.rejected)


def test_json_has_changes_and_a_summary_that_validate(traced: Any) -> None:
    data = json.loads(render_json(traced))
    assert data["schema_version"] == "1.4"
    assert data["summary"]["factual"] == sum(c.severity == "factual" for c in traced.sources[0].changes)
    assert data["summary"]["factual_changes"][0]["doc_id"] == "source"
    jsonschema.validate(data, load_schema(), cls=jsonschema.Draft202012Validator)
    bad = json.loads(render_json(traced))
    bad["sources"][0]["changes"][0]["severity"] = "terrible"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, load_schema(), cls=jsonschema.Draft202012Validator)


def test_terminal_report_leads_with_factual_changes(traced: Any) -> None:
    lines = render_text(traced).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Changes:"))
    first_source = next(i for i, line in enumerate(lines) if line.startswith("[1]"))
    assert start < first_source
    assert lines[start + 1].startswith("  ! ")
    assert any("number-changed" in line for line in lines[start:first_source])


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and (values.get("href") or "").startswith("#"):
            self.links.append((values["href"] or "")[1:])


def test_html_lists_factual_changes_that_jump_to_marked_words(traced: Any) -> None:
    page = render_html(traced)
    parser = _Anchors()
    parser.feed(page)
    factual = [n for n, c in enumerate(traced.sources[0].changes) if c.severity == "factual"]
    assert factual
    for n in factual:
        assert f"s0-c{n}" in parser.links and f"s0-c{n}" in parser.ids
    assert "<b>taxes</b>" not in page and "&lt;b&gt;taxes&lt;/b&gt;" in page
    assert 'class="wd' in page and "k-number-changed" in page


#: The three sentences the round-up below pastes from the council story.
EXCERPT_PASTED = (
    "The barrier, a steel gate of 48 metres hinged on the eastern quay, will cost 11.2 million pounds and "
    "should be finished by the autumn of next year. "
    "Engineers from the port authority said the gate would protect around 900 homes and the fish market "
    "that flooded twice last winter. "
    "Residents of the Quayside estate had campaigned for a barrier since a storm in January left water "
    "waist-deep in their streets for two days. ")
EXCERPT_SOURCE = (
    "Harbourside council approves new flood barrier for the old docks\n\n"
    "The council of Harbourside approved on Tuesday a flood barrier that will close the mouth of the old "
    "docks during storm surges. "
    + EXCERPT_PASTED +
    "The council's treasurer said the money would come from a national resilience fund and from the "
    "sale of a disused depot. "
    "Work on the foundations is due to start in March.")
EXCERPT_HOST = (
    "Weekend round-up: markets, music and a new barrier\n\n"
    "The farmers' market moves to the cathedral square this Saturday while the usual car park is resurfaced. "
    "Stallholders said they expect more visitors in the square than in the car park. "
    "A brass band from the twin town will play on the bandstand on Sunday afternoon. "
    "Tickets for the summer regatta go on sale at the library from Monday. "
    "In other news from the waterfront: "
    + EXCERPT_PASTED +
    "The swimming pool reopens after its refit on the first of the month. "
    "The cinema club shows a silent film with a live pianist on Thursday evening. "
    "Volunteers are wanted to clear litter from the beach after the bank holiday. "
    "The bakery on Mill Street has won a regional prize for its rye bread. "
    "Parking on the promenade will be free on Sundays until the end of the season.")


def test_reused_passages_report_no_added_or_omitted_sentences() -> None:
    # Regression: for an excerpt inside another page, the page's own sentences were reported as
    # "sentence added" (some as factual) and the rest of the source as "sentence omitted".
    result = compare(EXCERPT_HOST, EXCERPT_SOURCE)
    (source,) = result.sources
    assert source.finding == "reused"
    kinds = {c.kind for c in source.changes}
    assert not kinds & {"sentence-added", "sentence-omitted"}


QUOTE_TEXT = st.lists(st.sampled_from(['"', "“", "”", "'", "‘", "’", "He", "said", "it", "fell", ",", ".",
                                       " ", "\n", "(", "«", "»"]), max_size=30).map("".join)


@given(QUOTE_TEXT)
def test_quoted_words_are_those_inside_a_quotation(text: str) -> None:
    view = TextView(text)
    assert view.quoted == {t.start for t in view.tokens if any(s <= t.start < e for s, e in view.quotes)}


def test_attach_changes_reuses_and_fills_the_views(traced: Any) -> None:
    from unspin.changes.docdiff import attach_changes

    match = traced.sources[0]
    sentences = split_sentences(traced.suspect.text)
    views: dict[str, TextView] = {}
    first = attach_changes(traced.suspect.text, sentences, [match], {}, views=views)
    assert list(views) == [match.text]
    again = attach_changes(traced.suspect.text, sentences, [match], {}, views=views)
    assert first == again == attach_changes(traced.suspect.text, sentences, [match], {})
    assert first[0].changes == match.changes


def _quotes_char_by_char(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """_quotes_in_line as first written (every character visited): the oracle of the next test."""
    from unspin.changes.textview import _DOUBLE_PAIRS, _single_close

    out: list[tuple[int, int]] = []
    open_at: int | None = None
    closer = ""
    i = start
    while i < end:
        ch = text[i]
        after_blank = i == start or text[i - 1] in " \t([—–-/"
        if open_at is None:
            if ch in _DOUBLE_PAIRS or (ch == '"' and after_blank):
                open_at, closer = i + 1, _DOUBLE_PAIRS.get(ch, '"')
            elif ch in '"”' and not out and text[i - 1] in ",.!?":
                out.append((start, i))
            elif ch in "‘'" and after_blank and i + 1 < end and text[i + 1].isalpha():
                close = _single_close(text, i + 1, end, "’" if ch == "‘" else "'")
                if close != -1:
                    out.append((i + 1, close))
                    i = close
        elif ch == '"' and closer == '"' and after_blank and i + 1 < end and (text[i + 1].isalpha()
                                                                             or text[i + 1] == "["):
            out.append((open_at, i))
            open_at = i + 1
        elif ch == closer or (closer == "”" and ch == '"') or (closer == '"' and ch == "”"):
            out.append((open_at, i))
            open_at = None
        i += 1
    if open_at is not None and end - open_at > 1:
        out.append((open_at, end))
    return out


MARKS = ['"', "“", "”", "„", "«", "»", "‹", "›", "'", "‘", "’", "He", "it", ",", ".", "!", " ", "(",
         "[", "—", "/"]
MARKS_TEXT = st.lists(st.sampled_from(MARKS), max_size=40).map("".join)


@given(MARKS_TEXT)
@settings(max_examples=500)
def test_quotes_jump_from_mark_to_mark_as_visiting_every_character(text: str) -> None:
    from unspin.changes.textview import _quotes_in_line

    assert _quotes_in_line(text, 0, len(text)) == _quotes_char_by_char(text, 0, len(text))
    if len(text) > 4:
        assert _quotes_in_line(text, 2, len(text) - 1) == _quotes_char_by_char(text, 2, len(text) - 1)
