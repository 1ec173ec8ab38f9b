"""Cheap language identification: writing system first, then function-word profiles.

Tracing needs to know one thing before anything else: is the suspect written in the language of
the lexical path (English), or must it take the cross-language path? News articles are long and
full of function words, so a profile of the most frequent function words of each language tells
the languages of one script apart reliably, with no model to load: about a millisecond per
article and no memory to speak of (see ``docs/crosslang.md`` for the measurements, and why a
statistical detector such as lingua was not used).

How a text is classified:

1. Its letters are counted per script (Latin, Cyrillic, Greek, Arabic, Hebrew, Han, kana, Hangul,
   Devanagari, Thai, ...). Look-alike letters mixed into Latin words (a homoglyph-obfuscated
   English copy) do not change the majority, so such a copy stays Latin.
2. A script used by one language in :data:`SCRIPT_LANGUAGES` names it (Greek -> ``el``; Han
   without kana -> ``zh``).
3. For Latin and Cyrillic, each candidate language scores the share of the text's words that are
   among its function words (:data:`FUNCTION_WORDS`); the best wins, and the confidence is how
   far ahead of the runner-up it is.

A text too short or too unusual to decide is ``"und"`` (undetermined), which callers treat as the
default language.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_LANGUAGE", "FUNCTION_WORDS", "UNDETERMINED", "Language", "detect_language", "script_of"]

#: The language of the lexical (single-language) path.
DEFAULT_LANGUAGE = "en"
#: Code returned when the language cannot be decided.
UNDETERMINED = "und"

# Most frequent function words (articles, pronouns, prepositions, conjunctions, auxiliaries) of
# each language, written for this project. Words shared by several languages are kept: each
# language is scored on its own list, and shared words raise all of them alike.
_FUNCTION_WORD_TEXT: dict[str, str] = {
    "en": """the of and to in is that for it was on with as he be by at from his an are have has
             but not they this which were had been their said will would who its or also more one
             after there we she her about up than new can into over could been what when""",
    "fr": """le la les de des du un une et est en que qui dans pour pas sur au aux avec il elle ils
             sont ont été par plus se ne ce cette son sa ses leur leurs mais ou où nous vous aussi
             selon après entre lors être fait déjà comme tout tous était avait sera dont""",
    "de": """der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch
             es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über
             einen so zum war haben nur oder aber vor zur bis mehr durch man sein wurde sei""",
    "es": """el la los las de del y en que un una por con para es se su sus al lo como más pero fue
             ha son ya este esta entre también desde sobre está hasta han muy según cuando donde
             sin porque dijo había hay ser""",
    "it": """il lo la gli le di del della dei delle e è che un una per con non sono da nel nella
             alla anche come più ma ha si al degli questo questa essere stato dopo hanno era
             alle dalla sul sulla""",
    "pt": """o a os as de do da dos das e em que um uma para com não por se no na nos é mais ao
             foi como mas ele ela também são seu sua pelo pela entre sobre após ou já está ser
             disse""",
    "nl": """de het een en van in is dat op te zijn met voor niet aan er die was ook als bij door
             maar om dan zo werd nog naar heeft hij zij wordt deze werden hebben over""",
    "pl": """i w na z się nie do to że jest o jak ale po co tak za od przez dla jego są był była
             tym który która które także już oraz przy może został będzie""",
    "sv": """och att det som en på är av för med till den har de inte om ett men var sig från vi
             så kan eller när också efter hade skulle""",
    "tr": """ve bir bu da de için ile olarak olan çok daha gibi ama ki ne kadar sonra göre ya veya
             değil ise olduğu içinde""",
    "ru": """и в не на что с по как это он к из у за о от то же был для так его она но мы которые
             также было бы при после более или уже если их года лет этом этого может была были
             который которая заявил""",
    "uk": """і в не на що з та як це до у за від його він вона але також було які який яка для
             при після або вже є року щоб їх цього""",
    "bg": """и в на не да се за с от че е по са това как като ще беше които който която също но
             или при след има бъде""",
}

#: Function words per language (lower case), keyed by ISO 639-1 code.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(text.split()) for code, text in _FUNCTION_WORD_TEXT.items()
}

#: Languages scored by function words, per script.
PROFILED_SCRIPTS: dict[str, tuple[str, ...]] = {
    "Latin": ("en", "fr", "de", "es", "it", "pt", "nl", "pl", "sv", "tr"),
    "Cyrillic": ("ru", "uk", "bg"),
}

#: Scripts that name one language on their own.
SCRIPT_LANGUAGES: dict[str, str] = {
    "Greek": "el", "Arabic": "ar", "Hebrew": "he", "Hangul": "ko", "Kana": "ja", "Han": "zh",
    "Devanagari": "hi", "Thai": "th", "Georgian": "ka", "Armenian": "hy", "Bengali": "bn",
    "Tamil": "ta",
}

# Unicode character-name prefixes -> script. Han ideographs are "CJK UNIFIED IDEOGRAPH".
_SCRIPT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("LATIN", "Latin"), ("CYRILLIC", "Cyrillic"), ("GREEK", "Greek"), ("ARABIC", "Arabic"),
    ("HEBREW", "Hebrew"), ("CJK", "Han"), ("HIRAGANA", "Kana"), ("KATAKANA", "Kana"),
    ("HANGUL", "Hangul"), ("DEVANAGARI", "Devanagari"), ("THAI", "Thai"), ("GEORGIAN", "Georgian"),
    ("ARMENIAN", "Armenian"), ("BENGALI", "Bengali"), ("TAMIL", "Tamil"),
)

#: Characters read from the start of a text: a news article's language shows long before its end.
SAMPLE_CHARS = 6000
#: Fewest words for a function-word decision; shorter Latin texts are undetermined.
MIN_WORDS = 5
#: Lowest share of function words for a language to be chosen at all.
MIN_SHARE = 0.08
#: Fewest distinct function words of the chosen language the text must hold (tables of figures
#: with a stray "a" or "e" otherwise pass for Portuguese).
MIN_DISTINCT = 4
#: Lowest lead over the runner-up (see :attr:`Language.confidence`) for a decision.
MIN_CONFIDENCE = 0.1
# A Latin copy whose words carry a few Cyrillic look-alikes still reads as Latin, and a Han text
# with a little kana is Japanese: a script only counts for kana when it has this share of letters.
_KANA_SHARE = 0.05

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Language:
    """The language of a text.

    Attributes:
        code: ISO 639-1 code (``"en"``, ``"fr"``, ``"ru"``, ...), or ``"und"`` when undetermined.
        script: the majority script of the letters (``"Latin"``, ``"Cyrillic"``, ...), or ``""``.
        confidence: in [0, 1]: for function-word decisions, the winner's lead over the runner-up
            relative to the winner's share; 1.0 for a script that names one language; 0.0 when
            undetermined.
    """

    code: str
    script: str = ""
    confidence: float = 0.0

    @property
    def is_default(self) -> bool:
        """True for English and for undetermined text: both take the lexical path."""
        return self.code in (DEFAULT_LANGUAGE, UNDETERMINED)


@lru_cache(maxsize=8192)
def script_of(char: str) -> str:
    """Return the script of one letter (``"Latin"``, ``"Cyrillic"``, ...), or ``""`` if unknown."""
    if char.isascii():
        return "Latin" if char.isalpha() else ""
    name = unicodedata.name(char, "")
    for prefix, script in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return script
    return ""


_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")


def _scripts(sample: str) -> Counter[str]:
    """Letters of ``sample`` counted per script."""
    if sample.isascii():  # the common case: Latin letters only, counted in C
        letters = len(_ASCII_LETTER_RE.findall(sample))
        return Counter({"Latin": letters}) if letters else Counter()
    counts: Counter[str] = Counter()
    for char in sample:
        if char.isalpha():
            script = script_of(char)
            if script:
                counts[script] += 1
    return counts


def _main_script(counts: Counter[str]) -> str:
    """The majority script, with kana winning over Han when present (Japanese mixes both)."""
    if not counts:
        return ""
    total = sum(counts.values())
    if counts["Kana"] >= _KANA_SHARE * total and counts["Kana"] + counts["Han"] >= total / 2:
        return "Kana"
    return counts.most_common(1)[0][0]


def _profile(words: list[str], candidates: tuple[str, ...]) -> tuple[str, float]:
    """Choose among ``candidates`` by function-word share; return (code, confidence)."""
    if len(words) < MIN_WORDS:
        return UNDETERMINED, 0.0
    shares = sorted(((sum(1 for w in words if w in FUNCTION_WORDS[code]) / len(words), code)
                     for code in candidates), reverse=True)
    (best, code), (second, _) = shares[0], shares[1]
    confidence = (best - second) / best if best else 0.0
    if (best < MIN_SHARE or confidence < MIN_CONFIDENCE
            or len(FUNCTION_WORDS[code].intersection(words)) < MIN_DISTINCT):
        return UNDETERMINED, 0.0
    return code, confidence


def detect_language(text: str) -> Language:
    """Identify the language of ``text``.

    Args:
        text: any string; only its first :data:`SAMPLE_CHARS` characters are read.

    Returns:
        the language; ``code == "und"`` when the text has too few letters or words to decide.
    """
    return _detect(text[:SAMPLE_CHARS])


@lru_cache(maxsize=1024)  # samples of at most SAMPLE_CHARS: a few MB at most
def _detect(sample: str) -> Language:
    """:func:`detect_language` of a sample (cached: a trace asks again about candidates it has seen)."""
    script = _main_script(_scripts(sample))
    if not script:
        return Language(UNDETERMINED)
    if script in SCRIPT_LANGUAGES:
        return Language(SCRIPT_LANGUAGES[script], script, 1.0)
    candidates = PROFILED_SCRIPTS.get(script)
    if candidates is None:
        return Language(UNDETERMINED, script)
    # Only words written in the majority script vote: a Russian text quoting an English name,
    # or an English text with look-alike letters in a few words, is judged on its own words.
    # A lone capital letter is a label ("(A)", "Section E") far more often than a word.
    words = [w.casefold() for w in (m.group() for m in _WORD_RE.finditer(sample))
             if script_of(w[0]) == script and not (len(w) == 1 and w.isupper())]
    code, confidence = _profile(words, candidates)
    logger.debug("language %s (%s, confidence %.2f, %d words)", code, script, confidence, len(words))
    return Language(code, script, round(confidence, 4))
