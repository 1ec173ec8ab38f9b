"""Tests of unspin.laundering (the no-source laundering score) and of ``unspin score``."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from unspin.cli import main
from unspin.errors import InputError
from unspin.laundering import LIKELY, SUSPICIOUS, laundering_score

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "laundered-g20-article.txt"

# An invented news article, written plainly.
ORIGINAL = """Harbour council votes to close old ferry pier

The harbour council of Eastmere voted on Tuesday to close the old ferry pier, which has stood since 1911.
Repairs would have cost 2.4 million pounds, the council's treasurer, Maren Okafor, said after the vote.
The pier failed its last two safety inspections, and ferries have used a temporary landing since May.
Okafor said the council had looked for a buyer for a year but had found none.
A public meeting on the future of the site is planned for 14 March at the town library.
Local traders said they feared fewer visitors would come to the harbour in the summer.
The council said a new landing stage would be built next to the lifeboat station by 2027.
"""

# The same story laundered: headline doubled, a name spelled three ways, a decimal comma,
# a comment form at the end.
LAUNDERED = """Council of harbour votes closing of the old pier of ferry

Council of harbour votes closing of the old pier of ferry

The council of the harbour of Eastmere has voted Tuesday the closing of the old pier of the ferry.
The repairs would have cost 2,4 million pounds, the treasurer of the council, Maren Okafor, said.
The pier failed the two last inspections of safety, and ferries used a landing temporary since May.
Okaffor said the council of the town had searched a buyer during one year but had found none.
A meeting public on the future of the site is planned for 14 March in the library of the town.
Okafore said that a new stage of landing would be built next to the station of the lifeboat.

Leave a Reply

Your email address will not be published. Required fields are marked *
"""


def signals(text: str) -> dict[str, float]:
    return {e.signal: e.probability for e in laundering_score(text).evidence}


def test_a_plain_article_shows_no_sign_of_laundering() -> None:
    result = laundering_score(ORIGINAL)
    assert result.score < SUSPICIOUS and result.verdict == "no sign of laundering"
    assert result.words > 100


def test_a_laundered_copy_scores_as_laundered_with_its_evidence() -> None:
    result = laundering_score(LAUNDERED)
    assert result.score >= LIKELY and result.verdict == "likely laundered"
    found = signals(LAUNDERED)
    assert {"doubled-headline", "boilerplate", "name-variants", "decimal-comma"} <= set(found)
    variants = next(e for e in result.evidence if e.signal == "name-variants")
    assert "Okafor" in variants.detail and "Okaffor" in variants.detail and "Okafore" in variants.detail
    strengths = [e.probability for e in result.evidence]
    assert strengths == sorted(strengths, reverse=True)
    for e in result.evidence:
        for (start, end), example in zip(e.spans, e.examples, strict=False):
            assert 0 <= start < end <= len(LAUNDERED)
            if e.signal in ("confusables", "decimal-comma", "boilerplate"):
                assert LAUNDERED[start:end].startswith(example[:20])


def test_each_signal_raises_the_score() -> None:
    base = laundering_score(ORIGINAL).score
    headline = "Harbour council votes to close old ferry pier"
    doubled = ORIGINAL.replace(headline + "\n", f"{headline}\n\n{headline}\n", 1)
    assert "doubled-headline" in signals(doubled) and laundering_score(doubled).score > base
    homoglyph = ORIGINAL.replace("council", "cоuncil")  # Cyrillic о
    assert signals(homoglyph)["confusables"] >= 0.9 and laundering_score(homoglyph).score >= LIKELY
    comma = ORIGINAL.replace("2.4 million", "2,4 million")
    assert "decimal-comma" in signals(comma)


def test_inflections_and_different_names_are_not_variants() -> None:
    text = ("Russia and the Russian navy met in Moscow. David Brown and Davis Clinton spoke to the Clintons. "
            "John Smith and Tom Jones said the King of Kong was there. Russia said David Brown was right.")
    assert "name-variants" not in signals(text)


def test_translated_function_word_profile_is_measured() -> None:
    calqued = " ".join(["The council of the town of the harbour of Eastmere approved the plan of the "
                        "mayor of the city for the building of the bridge of the river."] * 12)
    assert signals(calqued).get("translationese", 0) > 0.5
    assert "translationese" not in signals(ORIGINAL)


def test_no_words_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no words"):
        laundering_score("!!! ... ???", source="x.txt")


def test_to_dict_is_json_ready() -> None:
    data = json.loads(json.dumps(laundering_score(LAUNDERED).to_dict()))
    assert set(data) == {"score", "verdict", "words", "meaning", "evidence"}
    assert all(set(e) == {"signal", "probability", "detail", "examples", "spans"} for e in data["evidence"])


def test_cli_score_text_and_json(tmp_path: Path) -> None:
    path = tmp_path / "copy.txt"
    path.write_text(LAUNDERED, encoding="utf-8")
    out = io.StringIO()
    assert main(["score", str(path)], stdout=out) == 0
    first = out.getvalue().splitlines()[0]
    assert first.startswith(f"{path}: ") and "likely laundered" in first
    out = io.StringIO()
    assert main(["score", str(path), "--json"], stdout=out) == 0
    assert json.loads(out.getvalue())["score"] >= LIKELY


def test_cli_score_reads_stdin_and_reports_bad_input_in_one_line(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["score", "-"], stdin=io.StringIO(ORIGINAL), stdout=out, stderr=err) == 0
    assert "no sign of laundering" in out.getvalue()
    err = io.StringIO()
    status = main(["score", str(tmp_path / "missing.txt")], stdout=io.StringIO(), stderr=err)
    assert status == InputError.exit_code
    assert err.getvalue().count("\n") == 1 and "missing.txt" in err.getvalue()
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    err = io.StringIO()
    assert main(["score", str(empty)], stdout=io.StringIO(), stderr=err) != 0
    assert err.getvalue().startswith("unspin: error:") and err.getvalue().count("\n") == 1


@pytest.mark.skipif(not SEED.exists(), reason="../shared seed article not present")
def test_the_seed_scores_as_laundered_with_its_name_variants() -> None:
    result = laundering_score(SEED.read_text(encoding="utf-8"))
    assert result.score >= LIKELY
    variants = next(e for e in result.evidence if e.signal == "name-variants")
    assert all(name in variants.detail for name in ("Poutine", "Pouten", "Putin"))


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """No cyclic garbage collection: its passes cost more with every object other tests left alive."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.slow
def test_cli_score_of_a_long_line_takes_linear_time(tmp_path: Path) -> None:
    # issue 12 F10: `unspin score` of a one-line text took 5.6, 21 and 80 s at 1, 2 and 4 MB
    words = ("harbour", "council", "ferry", "orchard", "morning", "bridge", "market", "the", "river")
    seconds = {}
    assert main(["score", "-"], stdin=io.StringIO(ORIGINAL), stdout=io.StringIO()) == 0  # loads what it needs
    for size in (250_000, 4_000_000):
        path = tmp_path / f"line-{size}.txt"
        path.write_text(" ".join(words[(n * 7 + n // 3) % len(words)] for n in range(size // 6))[:size])
        out = io.StringIO()
        with _without_gc():
            started = time.perf_counter()
            assert main(["score", str(path), "--json"], stdout=out) == 0
            seconds[size] = time.perf_counter() - started
        assert json.loads(out.getvalue())["words"] > size // 10
    ratio = seconds[4_000_000] / seconds[250_000]
    # 16 times the text: about 16-22 times as long; the old cutting: 81 times
    assert ratio < 40, f"16 times the text took {ratio:.1f} times as long"
