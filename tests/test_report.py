"""Tests of unspin.report.render: text, JSON (with its JSON Schema) and HTML renderers."""

from __future__ import annotations

import copy
import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.changes.worddiff import MAX_DIFF_WORDS, WordDiffer
from unspin.documents import Document
from unspin.report.render import _shorten, load_schema, render_html, render_json, render_text
from unspin.results import SCHEMA_VERSION, Passage, SentencePair, SourceMatch, TraceResult

# An invented local-news article and a spun, re-templated copy of it.
SOURCE_TEXT = (
    "Harrowgate council votes to close the old ferry pier. "
    "The wooden pier, built in 1911, failed its last two safety inspections. "
    "Councillor Maren Okafor said repairs would cost 2.4 million euros. "
    "A public meeting is planned for 14 March at the library."
)
S1 = "The wooden pier, built in 1911, failed its last two safety inspections."
S2 = "Councillor Maren Okafor said repairs would cost 2.4 million euros."
S3 = "A public meeting is planned for 14 March at the library."
BOILER = "Share this: Facebook | Email | Print"
C1 = "Built in 1911, the timber pier did not pass its two latest safety checks."
C2 = "Fixing it would cost 2.4 million euros, councillor Maren Okafor stated."
C3 = "An open meeting is scheduled for 14 March in the library."
SUSPECT_TEXT = f"Ferry pier to shut, café owners worried\n{C1} {C2}\n\n{C3}\n{BOILER}"


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.find(part)
    assert start >= 0, part
    return start, start + len(part)


def _join(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0], b[1]


def _pair(suspect_part: str, source_part: str, sim: float) -> SentencePair:
    return SentencePair(_span(SUSPECT_TEXT, suspect_part), _span(SOURCE_TEXT, source_part), sim)


def make_result(*, found: bool = True, suspect_text: str = SUSPECT_TEXT,
                url: str | None = None) -> TraceResult:
    p1 = _pair(C1, S1, 0.91)
    p2 = _pair(C2, S2, 0.83)
    p3 = _pair(C3, S3, 0.88)
    passages = (
        Passage(_join(p1.suspect, p2.suspect), _join(p1.source, p2.source), 0.87, (p1, p2)),
        Passage(p3.suspect, p3.source, 0.88, (p3,)),
    )
    meta: dict[str, Any] = {"title": "Harrowgate council votes to close ferry pier", "date": "2024-02-20",
                            "site": "Harrowgate Herald"}
    if url:
        meta["url"] = url
    source = SourceMatch("herald-0042", 0.9312, 0.8123, 0.7456, passages,
                         evidence={"aligned": 3.0, "mean_similarity": 0.873}, meta=meta, text=SOURCE_TEXT)
    near = SourceMatch("blog-7", 0.3125, 0.12, 0.05, (), meta={"title": "Piers of the north"})
    suspect = Document("suspect-1", suspect_text, {"title": "Ferry pier to shut", "url": "local copy"})
    boiler = (_span(suspect_text, BOILER),) if BOILER in suspect_text else ()
    return TraceResult(suspect, (source,) if found else (), (near,), boiler, 42, 0.1234)


# ------------------------------------------------------------------------------------------- text


def test_text_lists_source_scores_spans_and_excerpts() -> None:
    result = make_result(url="https://harrowgate-herald.example/pier")
    out = render_text(result, width=200)
    src = result.sources[0]
    p = src.passages[1]
    for needle in ("suspect-1", "Ferry pier to shut", f"({len(SUSPECT_TEXT)} chars)", "herald-0042",
                   "score 0.93", "Harrowgate council votes to close ferry pier", "2024-02-20",
                   "Harrowgate Herald", "https://harrowgate-herald.example/pier", "81% of the suspect",
                   "75% of the source", "2 passages", "Source found: herald-0042",
                   f"suspect [{p.suspect[0]}:{p.suspect[1]}] <-> source [{p.source[0]}:{p.source[1]}] "
                   "score 0.88",
                   C3, S3, C1, "Boilerplate: 1 span (36 chars)"):
        assert needle in out, needle
    assert "\x1b" not in out
    assert "No source found" not in out


def test_text_shortens_excerpts_to_width() -> None:
    out = render_text(make_result(), width=60)
    excerpt_lines = [line for line in out.splitlines() if " | " in line]
    assert len(excerpt_lines) == 4
    assert all(len(line) <= 60 for line in excerpt_lines)
    assert any("…" in line for line in excerpt_lines)
    # Start and end of a long passage survive the cut.
    first = excerpt_lines[0]
    assert "Built in 1911" in first and first.endswith("stated.")


@given(st.text(max_size=300), st.integers(12, 200))
def test_shorten_fits_and_keeps_both_ends(text: str, limit: int) -> None:
    flat = " ".join(text.split())
    out = _shorten(text, limit)
    assert len(out) <= limit
    if len(flat) <= limit:
        assert out == flat
    else:
        cuts = [i for i in range(len(out)) if out.startswith(" … ", i)]
        assert any(flat.startswith(out[:i]) and flat.endswith(out[i + 3:]) for i in cuts)


def test_text_no_source_branch_names_closest() -> None:
    out = render_text(make_result(found=False))
    assert "No source found (42 candidates checked)" in out
    assert "closest: blog-7 score 0.31 — below the 0.50 threshold" in out
    assert "herald-0042" not in out
    bare = TraceResult(Document("x", "Nothing to see."), (), candidates=1)
    out = render_text(bare)
    assert "No source found (1 candidate checked)" in out
    assert "closest" not in out


def test_text_color_and_max_passages_and_determinism() -> None:
    result = make_result()
    coloured = render_text(result, color=True)
    assert "\x1b[1m" in coloured and "\x1b[32m0.93" in coloured
    limited = render_text(result, max_passages=1)
    assert "  1. suspect" in limited and "  2. suspect" not in limited
    assert "and 1 more passage" in limited
    assert render_text(result) == render_text(make_result())


# ------------------------------------------------------------------------------------------- JSON


def _strict(schema: Any) -> Any:
    """A copy of the schema where objects with declared properties admit no other field."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def test_json_round_trip_matches_dataclasses() -> None:
    result = make_result()
    data = json.loads(render_json(result))
    assert data["schema_version"] == SCHEMA_VERSION == "1.4"
    assert data["suspect"]["text"] == SUSPECT_TEXT and "café" in render_json(result)  # not \u-escaped
    src = result.sources[0]
    got = data["sources"][0]
    assert got["doc_id"] == "herald-0042" and got["text"] == SOURCE_TEXT
    for gp, p in zip(got["passages"], src.passages, strict=True):
        assert tuple(gp["suspect"]) == p.suspect and tuple(gp["source"]) == p.source
        assert [tuple(q["suspect"]) for q in gp["pairs"]] == [q.suspect for q in p.pairs]
        assert [tuple(q["source"]) for q in gp["pairs"]] == [q.source for q in p.pairs]
    assert [tuple(b) for b in data["boilerplate"]] == list(result.boilerplate)
    assert data["rejected"][0]["doc_id"] == "blog-7" and "text" not in data["rejected"][0]
    assert "\n" not in render_json(result, indent=None)


def test_json_pairs_carry_their_differing_words() -> None:
    data = json.loads(render_json(make_result()))
    pairs = [q for p in data["sources"][0]["passages"] for q in p["pairs"]]
    copied = [[SUSPECT_TEXT[s:e] for s, e in q["suspect_diff"]] for q in pairs]
    original = [[SOURCE_TEXT[s:e] for s, e in q["source_diff"]] for q in pairs]
    # C3 / S3: "An open meeting is scheduled for 14 March in the library." against the source's
    # "A public meeting is planned for 14 March at the library."
    assert copied[2] == ["An", "open", "scheduled", "in"]
    assert original[2] == ["A", "public", "planned", "at"]
    assert "2.4" not in copied[1] and "Fixing" in copied[1] and "said" in original[1]
    # Rejected sources carry no text, so their pairs no diff.
    assert all("suspect_diff" not in q for s in data["rejected"] for p in s["passages"] for q in p["pairs"])


def test_html_underlines_the_words_the_json_ships() -> None:
    result = make_result()
    data = json.loads(render_json(result))
    shipped = [SUSPECT_TEXT[s:e] for p in data["sources"][0]["passages"] for q in p["pairs"]
               for s, e in q["suspect_diff"]]
    page = render_html(result)
    underlined = [w for w in shipped if f'<span class="wd">{w}</span>' in page]
    assert shipped and underlined == shipped


def test_overlong_pairs_are_not_diffed() -> None:
    words = " ".join(f"w{n}" for n in range(MAX_DIFF_WORDS + 1))
    other = " ".join(f"v{n}" for n in range(MAX_DIFF_WORDS + 1))
    differ = WordDiffer(words, other)
    assert differ.pair((0, len(words)), (0, len(other))) == ((), ())
    assert len(differ.pair((0, len(words)), (0, 2))[0]) == MAX_DIFF_WORDS + 1


@pytest.mark.parametrize("include_text", [True, False])
@pytest.mark.parametrize("found", [True, False])
def test_json_validates_against_schema(include_text: bool, found: bool) -> None:
    data = json.loads(render_json(make_result(found=found), include_text=include_text))
    assert ("text" in data["suspect"]) is include_text
    jsonschema.validate(data, load_schema(), cls=jsonschema.Draft202012Validator)
    # Every field the code emits is declared in the schema (catches drift between the two).
    jsonschema.validate(data, _strict(load_schema()), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("breakage", ["score", "span", "version", "missing"])
def test_schema_rejects_broken_documents(breakage: str) -> None:
    data = json.loads(render_json(make_result()))
    bad = copy.deepcopy(data)
    if breakage == "score":
        bad["sources"][0]["score"] = 1.5
    elif breakage == "span":
        bad["sources"][0]["passages"][0]["suspect"] = [1, 2, 3]
    elif breakage == "version":
        bad["schema_version"] = "2.0"
    else:
        del bad["sources"][0]["coverage"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, load_schema(), cls=jsonschema.Draft202012Validator)


def test_docs_describe_every_schema_field() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "json-schema.md"
    text = doc.read_text(encoding="utf-8")
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(load_schema())
    assert len(names) > 15
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert not missing


# ------------------------------------------------------------------------------------------- HTML


class _Tree(HTMLParser):
    """Records every element with its attributes and full text content; checks tags balance."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = {"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "text": []}
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1]["tag"] == tag, f"unbalanced </{tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for el in self.stack:
            el["text"].append(data)


def parse(page: str) -> _Tree:
    tree = _Tree()
    tree.feed(page)
    tree.close()
    assert not tree.stack
    return tree


def text_of(tree: _Tree, **attrs: str) -> list[str]:
    """Text of each element whose attributes include ``attrs`` (``_`` in names read as ``-``)."""
    want = {k.replace("_", "-"): v for k, v in attrs.items()}
    return ["".join(el["text"]) for el in tree.elements
            if all(el["attrs"].get(k) == v for k, v in want.items())]


def test_html_escapes_script_in_text_and_meta() -> None:
    evil = "<script>alert(1)</script>"
    result = make_result(suspect_text=SUSPECT_TEXT + "\n" + evil)
    result = TraceResult(Document(evil, result.suspect.text, {"title": evil}), result.sources,
                         result.rejected, result.boilerplate, result.candidates)
    page = render_html(result)
    assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1  # only the page's own script
    tree = parse(page)
    assert text_of(tree, data_col="s0-suspect")[0].endswith(evil)


def test_html_links_every_passage_on_both_sides() -> None:
    result = make_result()
    tree = parse(render_html(result))
    ids = [el["attrs"]["id"] for el in tree.elements if "id" in el["attrs"]]
    assert len(ids) == len(set(ids))
    for j, passage in enumerate(result.sources[0].passages):
        for side, other, text in (("suspect", "source", SUSPECT_TEXT), ("source", "suspect", SOURCE_TEXT)):
            key = f"s0-p{j}-{side}"
            (el,) = [e for e in tree.elements if e["attrs"].get("id") == key]
            assert el["attrs"]["data-peer"] == f"s0-p{j}-{other}"
            assert el["attrs"]["data-n"] == str(j + 1)
            start, end = getattr(passage, side)
            assert "".join(el["text"]) == text[start:end]


def test_html_highlights_equal_slices_and_columns_keep_text() -> None:
    result = make_result()
    tree = parse(render_html(result))
    assert text_of(tree, data_col="s0-suspect") == [SUSPECT_TEXT]
    assert text_of(tree, data_col="s0-source") == [SOURCE_TEXT]
    pairs = [el for el in tree.elements if el["attrs"].get("class") in ("sp", "sp first")]
    assert len(pairs) == 6
    slices = {SUSPECT_TEXT[q.suspect[0]:q.suspect[1]] for p in result.sources[0].passages for q in p.pairs}
    slices |= {SOURCE_TEXT[q.source[0]:q.source[1]] for p in result.sources[0].passages for q in p.pairs}
    assert {"".join(el["text"]) for el in pairs} == slices
    assert any("similarity 0.91" in el["attrs"]["title"] for el in pairs)
    boiler = [el for el in tree.elements if "bp" in el["attrs"].get("class", "").split()]
    assert ["".join(el["text"]) for el in boiler] == [BOILER]


def test_html_is_self_contained() -> None:
    page = render_html(make_result())
    assert "http://" not in page and "https://" not in page
    # A URL in metadata is shown as text, never fetched or linked.
    tree = parse(render_html(make_result(url="https://harrowgate-herald.example/pier")))
    for el in tree.elements:
        for name in ("href", "src", "action", "srcset"):
            value = el["attrs"].get(name, "")
            assert not value or value.startswith("#"), (el["tag"], name, value)
    assert text_of(tree, **{"class": "url"})[0] == "https://harrowgate-herald.example/pier"


def test_html_no_source_page() -> None:
    page = render_html(make_result(found=False), title="Pier check")
    tree = parse(page)
    assert text_of(tree, data_col="suspect") == [SUSPECT_TEXT]
    assert "No source found (42 candidates checked)" in page
    assert "<title>Pier check</title>" in page
    assert "blog-7" in page and 's0-p0' not in page


@st.composite
def traces(draw: st.DrawFn) -> TraceResult:
    alphabet = st.characters(exclude_categories=["Cs"])
    suspect = draw(st.text(alphabet, max_size=40))
    spans_in = st.tuples(st.integers(0, 40), st.integers(0, 40))

    def span(text: str) -> tuple[int, int]:
        a, b = draw(spans_in)
        a, b = sorted((min(a, len(text)), min(b, len(text))))
        return a, b

    sources: list[SourceMatch] = []
    for _ in range(draw(st.integers(0, 2))):
        text = draw(st.text(alphabet, max_size=40))
        passages = []
        for _ in range(draw(st.integers(0, 4))):
            pairs = tuple(SentencePair(span(suspect), span(text), draw(st.floats(0, 1)))
                          for _ in range(draw(st.integers(0, 3))))
            passages.append(Passage(span(suspect), span(text), draw(st.floats(0, 1)), pairs))
        sources.append(SourceMatch(f"d{len(sources)}", 0.9, 0.5, 0.5, tuple(passages), text=text))
    boiler = tuple(span(suspect) for _ in range(draw(st.integers(0, 2))))
    return TraceResult(Document("s", suspect), tuple(sources), boilerplate=boiler)


@settings(max_examples=200, deadline=None)
@given(traces())
def test_html_never_loses_text_with_random_offsets(result: TraceResult) -> None:
    tree = parse(render_html(result))  # also asserts tags balance
    if not result.sources:
        assert text_of(tree, data_col="suspect") == [result.suspect.text]
    for i, source in enumerate(result.sources):
        assert text_of(tree, data_col=f"s{i}-suspect") == [result.suspect.text]
        assert text_of(tree, data_col=f"s{i}-source") == [source.text]
        for j, passage in enumerate(source.passages):
            for side, text in (("suspect", result.suspect.text), ("source", source.text)):
                key = f"s{i}-p{j}-{side}"
                start, end = getattr(passage, side)
                assert "".join(text_of(tree, data_key=key)) == text[start:end]
                assert sum(1 for el in tree.elements if el["attrs"].get("id") == key) == 1


def test_a_passage_that_condenses_the_whole_source_says_so() -> None:
    result = make_result()
    first = result.sources[0]
    summary = dataclasses.replace(first.passages[0], condenses=(0, len(first.text)))
    marked = dataclasses.replace(result, sources=(dataclasses.replace(first, passages=(summary,)),
                                                  *result.sources[1:]))
    note = "summarises the whole source"
    assert note in render_text(marked) and note in render_html(marked)
    assert note not in render_text(result) and note not in render_html(result)
    assert json.loads(render_json(marked))["sources"][0]["passages"][0]["condenses"] == [0, len(first.text)]
