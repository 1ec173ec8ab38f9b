"""Tests of unspin.changes.values: reading numbers, amounts, percentages, times and dates,
and comparing them."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unspin.changes.values import Quantity, compare_quantities, find_quantities, same_value


def one(text: str) -> Quantity:
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("a", "b"), [
    ("£1.3bn", "1.3 billion pounds"),
    ("5.5%", "5,5 percent"),
    ("84 per cent", "84%"),
    ("Eleven people", "11 people"),
    ("19 January", "January 19"),
    ("11pm", "23 o'clock"),
    ("1,300 million", "1.3 billion"),
    ("42,000 tonnes", "42 thousand tonnes"),
    ("$2.4bn", "2.4 billion dollars"),
    ("4.2 million", "4,200,000"),
    ("3,400 hectares", "3.400 hectares"),
])
def test_same_value_written_otherwise_is_reformatted(a: str, b: str) -> None:
    assert compare_quantities(one(a), one(b)) == "reformatted"
    assert compare_quantities(one(b), one(a)) == "reformatted"


@pytest.mark.parametrize(("a", "b"), [
    ("610,000", "6.1 million"),
    ("£5m", "$5m"),
    ("Friday", "Saturday"),
    ("2,400", "2,000"),
    ("14 March", "14 May"),
    ("two years", "three years"),
    ("€38", "$38"),
])
def test_different_values_are_changed(a: str, b: str) -> None:
    assert compare_quantities(one(a), one(b)) == "changed"


@pytest.mark.parametrize(("a", "b"), [("£1.27bn", "£1.3bn"), ("1,340,000", "1.3 million")])
def test_rounding_to_two_significant_digits_is_rounded(a: str, b: str) -> None:
    assert compare_quantities(one(a), one(b)) == "rounded"


def test_equal_as_written_and_incomparable_dimensions() -> None:
    assert compare_quantities(one("5.5%"), one("5.5%")) == "equal"
    assert compare_quantities(one("5%"), one("£5")) == "incomparable"
    assert compare_quantities(one("Friday"), one("12 people")) == "incomparable"


def test_units_scales_and_kinds() -> None:
    q = one("US$18m")
    assert (q.kind, q.unit, q.value) == ("money", "USD", 18e6)
    q = one("331bn euros")
    assert (q.kind, q.unit, q.value) == ("money", "EUR", 331e9)
    assert one("in 2016").kind == "year"
    assert one("the 21st century").kind == "ordinal"
    assert (one("a 2-hour talk").kind, one("a 2-hour talk").unit) == ("measure", "hour")
    assert one("3 percentage points").unit == "point"
    assert one("a million").value == 1e6
    assert one("19 January 2005").date == (2005, 1, 19, None)


def test_ambiguous_separator_keeps_both_readings() -> None:
    q = one("1.300")
    assert set(q.alternatives) == {1.3, 1300.0}
    assert same_value(q, one("1,300"))


@pytest.mark.parametrize("text", ["the G20 summit", "a 100m race", "someone else", "it may rain",
                                  "MP3 players"])
def test_things_that_are_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


def test_spans_point_into_the_text() -> None:
    text = "Exports reached $445.1bn (£227bn; 331bn euros) on 3 May, up 7.5% at 11pm."
    found = find_quantities(text)
    assert [text[q.start:q.end] for q in found] == [q.text for q in found]
    assert [q.text for q in found] == ["$445.1bn", "£227bn", "331bn euros", "3 May", "7.5%", "11pm"]


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=1000, max_value=10**9))
def test_thousands_separators_do_not_change_a_value(n: int) -> None:
    plain, grouped = one(str(n)), one(f"{n:,}")
    assert compare_quantities(plain, grouped) in ("equal", "reformatted")
    assert grouped.value == n


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=999), st.integers(min_value=1, max_value=9))
def test_decimal_comma_and_point_agree(whole: int, tenth: int) -> None:
    assert compare_quantities(one(f"{whole}.{tenth}%"), one(f"{whole},{tenth} percent")) == "reformatted"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,% £$€ abmkMonday Jan-:")), max_size=60))
def test_any_text_reads_without_error_and_without_overlaps(text: str) -> None:
    found = find_quantities(text)
    for q in found:
        assert 0 <= q.start < q.end <= len(text) and text[q.start:q.end] == q.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_space_grouped_thousands_are_one_number() -> None:
    # Regression: "1 900" (French and MT style) was read as the two numbers 1 and 900.
    found = [(q.text, q.value) for q in find_quantities("more than 1 900 visits and up to 180 000 patients")]
    assert found == [("1 900", 1900.0), ("180 000", 180000.0)]
    # A year followed by another number stays two numbers.
    assert [q.value for q in find_quantities("in 2004 200 people")] == [2004.0, 200.0]


def test_french_style_clock_time() -> None:
    # Regression: "4h15" was read as the number 4.
    (q,) = find_quantities("detected at 4h15")
    assert (q.text, q.kind, q.value) == ("4h15", "time", 255.0)
