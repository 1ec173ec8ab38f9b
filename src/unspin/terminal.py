"""Text bound for a terminal: what comes from inputs is shown, never obeyed."""

from __future__ import annotations

import re

__all__ = ["terminal_safe"]

# C0 controls (newline and tab included: a report line, a message is one line), DEL and C1 controls.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters (C0 including newline and tab, DEL, C1) shown as ``\\xNN``.

    A title or a page holding ESC or BEL would otherwise let a crawled page move the cursor, clear
    the screen, set the window title or write the clipboard of whoever reads the report.
    """
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
