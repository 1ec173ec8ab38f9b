"""Text for terminals: control characters from inputs are shown escaped."""

from __future__ import annotations

import pytest

from unspin.terminal import terminal_safe


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text, accents é and CJK 港", "plain text, accents é and CJK 港"),
    ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
    ("clear\x1b[2J", "clear\\x1b[2J"),
    ("two\nlines\r\tand\x00nul", "two\\x0alines\\x0d\\x09and\\x00nul"),
    ("c1 \x9b31m and del \x7f", "c1 \\x9b31m and del \\x7f"),
])
def test_controls_are_shown_escaped(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown
    assert terminal_safe(shown) == shown  # escaping twice changes nothing
