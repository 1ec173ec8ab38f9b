"""The cheap screen in front of tracing: copies pass, unrelated pages do not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from crawl_fixtures import CYCLING, FERRY, OBSERVATORY, ORCHARD, build_index, homoglyphs

from unspin import Index
from unspin.crawl.screen import Screen, ScreenResult, TokenStats


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return Index.open(build_index(tmp_path_factory.mktemp("screen") / "idx"))


def test_token_stats(index: Index) -> None:
    stats = TokenStats.from_index(index)
    assert stats.documents == 3
    # "skerrin" is in one document, so it weighs more than "year", which two share.
    rare, common = stats.idf[stats.vocabulary["skerrin"]], stats.idf[stats.vocabulary["year"]]
    assert 0 < common < rare == pytest.approx(stats.unknown_idf)
    assert stats.idf.dtype == np.float64 and len(stats.idf) == len(stats.vocabulary)


def test_copies_pass_and_unrelated_pages_do_not(index: Index) -> None:
    screen = Screen(index)
    verbatim = screen.check(FERRY)
    assert verbatim.passed and verbatim.candidate == "src-ferry"
    assert verbatim.containment > 0.99 and verbatim.coverage > 0.99
    obfuscated = screen.check(homoglyphs(ORCHARD))
    assert obfuscated.passed and obfuscated.candidate == "src-orchard"
    unrelated = screen.check(CYCLING)
    assert not unrelated.passed and unrelated.score < 0.3


def test_spliced_paragraphs_pass_through_the_window(index: Index) -> None:
    host = "\n\n".join([CYCLING] * 3)
    spliced = host + "\n\n" + "\n\n".join(OBSERVATORY.split("\n\n")[1:]) + "\n\n" + host
    # The spliced story holds 65 content tokens: windows of 60 tokens fit inside it.
    screen = Screen(index, window=60, threshold=10.0)
    result = screen.check(spliced)
    assert result.passed and result.window >= 0.9 and result.candidate == "src-observatory"
    assert screen.check(host).window < 0.3 and not screen.check(host).passed


def test_text_without_tokens_or_candidates_never_passes(index: Index) -> None:
    # With both thresholds at 0 any page that reaches the scoring passes (a two-word one does);
    # a page with no content token, or whose tokens no document holds, must not reach it.
    screen = Screen(index, threshold=0.0, window_threshold=0.0)
    assert screen.check("The harbour ferry").passed
    for text in ("", "   ", "the of and ...", "the of and 12 ...", "zzqx unknownword"):
        assert screen.check(text) == ScreenResult(passed=False), text


def test_threshold_is_respected(index: Index) -> None:
    text = FERRY
    score = Screen(index).check(text).score
    assert Screen(index, threshold=score - 0.01).check(text).passed
    assert not Screen(index, threshold=score + 0.01, window_threshold=2.0).check(text).passed


def test_candidate_token_cache_is_bounded(index: Index, tmp_path: Path) -> None:
    screen = Screen(index, cache_size=1)
    for text in (FERRY, ORCHARD, OBSERVATORY):
        screen.check(text)
    assert len(screen._cache) == 1
