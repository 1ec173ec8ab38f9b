"""Word-level differences of aligned sentence pairs: the words each side has that the other has not.

Computed once, here, for every reader: the JSON of a trace carries them on each sentence pair
(``suspect_diff`` and ``source_diff``, see ``docs/json-schema.md``), the web app draws them from
there, and the HTML report underlines them. Words and their comparison keys are those of
:class:`unspin.changes.textview.TextView` (look-alike letters mapped, case folded, a possessive
dropped); the two word lists are matched by their longest common subsequence (rapidfuzz's Indel).

Example:
    >>> differ = WordDiffer("The mayor opened the bridge.", "The mayor closed the bridge.")
    >>> differ.pair((0, 28), (0, 28))
    (((10, 16),), ((10, 16),))
"""

from __future__ import annotations

from rapidfuzz.distance import Indel

from unspin.changes.textview import TextView
from unspin.documents import Span

__all__ = ["MAX_DIFF_WORDS", "WordDiffer"]

Spans = tuple[Span, ...]

#: Pairs are not diffed when the words of the two sides multiply to more than this squared (two
#: sentences of 300 words each; longer pairs are rare and a word-by-word view of them unreadable).
MAX_DIFF_WORDS = 300


class WordDiffer:
    """The word differences of sentence pairs between one suspect text and one source text.

    Args:
        suspect_text: the whole suspect text (spans index into it).
        source_text: the whole source text.
    """

    def __init__(self, suspect_text: str, source_text: str) -> None:
        self.suspect = TextView(suspect_text)
        self.source = TextView(source_text)

    def pair(self, suspect: Span, source: Span) -> tuple[Spans, Spans]:
        """The differing words of one aligned pair.

        Args:
            suspect: ``(start, end)`` span of the pair in the suspect, in code points.
            source: ``(start, end)`` span of the pair in the source.

        Returns:
            ``(suspect words not in the source, source words not in the suspect)``, each a tuple
            of ``(start, end)`` word spans into its whole text, in text order; both empty when the
            pair has more words than :data:`MAX_DIFF_WORDS` allows.
        """
        mine, theirs = self.suspect.words(suspect), self.source.words(source)
        if len(mine) * len(theirs) > MAX_DIFF_WORDS * MAX_DIFF_WORDS:
            return (), ()
        only_mine: list[Span] = []
        only_theirs: list[Span] = []
        for op in Indel.opcodes([t.key for t in mine], [t.key for t in theirs]):
            if op.tag == "equal":
                continue
            only_mine += [(t.start, t.end) for t in mine[op.src_start:op.src_end]]
            only_theirs += [(t.start, t.end) for t in theirs[op.dest_start:op.dest_end]]
        return tuple(only_mine), tuple(only_theirs)
