"""Small English word lists and a spelling key used to type the changes a copy made.

Everything here is written for this project. The lists are deliberately short: each word in them
turns a difference into a *factual* change (a lost negation, a reversed stance), so a word goes in
only when its meaning is stable across news contexts. Words are matched after Snowball stemming
(:func:`stem`), so one form of each word is enough, but irregular forms (``rose``, ``fell``,
``won``) are listed because the stemmer does not map them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from rapidfuzz import fuzz

__all__ = [
    "GENERIC_HEADS",
    "IMPLICIT_NEGATORS",
    "NEGATORS",
    "OPPOSED",
    "SPEECH_VERBS",
    "WEAKENING",
    "alias",
    "negation_words",
    "negative_affix",
    "phonetic",
    "phonetic_skeleton",
    "same_name",
    "stance_classes",
    "stem",
]


def word_list(text: str) -> list[str]:
    """The blank-separated words of ``text`` (the change report's word lists are written as one string)."""
    return text.split()

#: Words that negate a clause (matched on the case-folded word; words ending in "n't" count too).
NEGATORS = frozenset(
    word_list("not no never none nobody nothing neither nor without cannot nowhere no-one noone"))
#: A negator followed by one of these is not a negation of the clause ("not only ... but").
_NOT_NEGATING_NEXT = frozenset(word_list("only just merely doubt matter"))
#: Words that negate without a negator ("failed to keep up" = "did not keep up"): they cancel a
#: lost negation, but are not counted as negations themselves.
IMPLICIT_NEGATORS = frozenset(word_list(
    "fail failed fails failing unable lack lacks lacked lacking impossible yet instead rather unchanged "
    "absence absent few little hardly barely rarely seldom only decline declined declines declining refuse "
    "refused refuses refusing reject rejected rejects deny denied denies"))
_UN_EXCEPTIONS = ("under", "unit", "union", "uniq", "univers", "uniform", "until", "unto", "unison")


def negative_affix(word: str) -> str | None:
    """The positive word inside a negative-prefixed one (``"undisclosed"`` -> ``"disclosed"``), else None.

    Only *un-* words (not *under*, *unit*, *union*, ...) and *non-* words are read this way; for
    *in-* / *dis-* words the caller checks the remainder against the other text.
    """
    if word.startswith("non") and len(word) > 6:
        return word[3:].lstrip("-")
    if word.startswith("un") and len(word) > 5 and not word.startswith(_UN_EXCEPTIONS):
        return word[2:]
    for prefix in ("in", "im", "il", "ir", "dis"):
        if word.startswith(prefix) and len(word) > len(prefix) + 4:
            return word[len(prefix):]
    return None

#: Stance classes: verbs and adjectives whose swap reverses or weakens what a sentence claims.
_STANCE_TEXT = {
    "agree": "accept agree admit confirm acknowledge approve endorse concede support welcome embrace",
    "deny": "deny reject refuse dismiss oppose refute dispute contest veto rebuff repudiate spurn",
    "perceive": "learn learnt hear heard note notice listen",
    "rise": "rise rose risen increase grow grew grown climb gain jump soar surge rocket boost double "
            "expand swell higher",
    "fall": "fall fell fallen decrease drop decline shrink shrank slump plunge cut reduce tumble slide "
            "slid sink sank lower dip lose lost",
    "win": "win won beat defeat triumph gain",
    "lose": "lose lost",
    "allow": "allow permit authorise authorize legalise legalize",
    "ban": "ban forbid forbade prohibit outlaw",
    "succeed": "succeed success successful",
    "fail": "fail failure unsuccessful",
    "praise": "praise hail commend applaud",
    "criticise": "criticise criticize condemn denounce slam blame",
    "guilty": "guilty convict",
    "acquit": "acquit innocent",
}
#: Pairs (source class, copy class) that weaken a claim without contradicting it: "accepted the
#: assurances" -> "learned of the assurances". Other swaps between classes are left to wording.
WEAKENING = frozenset({("agree", "perceive"), ("deny", "perceive")})
#: Pairs of stance classes that contradict each other (a negation flips one into the other).
OPPOSED = frozenset(frozenset(p) for p in (
    ("agree", "deny"), ("rise", "fall"), ("win", "lose"), ("allow", "ban"), ("succeed", "fail"),
    ("praise", "criticise"), ("guilty", "acquit")))

#: Generic head nouns of organisation, place and event names: two names sharing only such a word
#: ("Corwen Trust", "Harlow Trust") name different things, and two names differing only in such a
#: word ("Turner Prize", "Turner Award") are one name translated two ways.
GENERIC_HEADS = frozenset(word_list(
    "prize award awards act law bill chamber office department service services board authority conference "
    "summit treaty agreement programme program show team force army navy police government parliament "
    "assembly senate congress cabinet tribunal report survey index inquiry review settlement establishment "
    "organisation organization federation alliance movement front society network channel radio television "
    "tv studio studios film games championship championships open tournament secretary minister president "
    "foreign home interior finance defence defense trophy convention declaration charter statement "
    "commission committee council gate square kingdom "
    "trust bank party university council company group street road avenue square river lake hospital school "
    "college airport station club union institute museum foundation ministry court house park bridge county "
    "city district island islands sea ocean mountain mountains corporation corp inc ltd plc association "
    "committee agency commission fund festival league cup times news post herald journal gazette church "
    "cathedral hotel theatre centre center market exchange holdings airlines airways motors energy foods "
    "republic kingdom state states province region valley bay port harbour harbor tower hall prison"))

#: Words that introduce reported speech; the speaker of a quote is the name next to one of them.
SPEECH_VERBS = frozenset(word_list(
    "said says say told tells tell added adds stated states declared declares insisted insists warned "
    "warns explained explains argued argues claimed claims noted notes asked asks wrote writes replied "
    "replies commented comments announced announces according"))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a case-folded word (cached)."""
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _stance_index() -> dict[str, frozenset[str]]:
    """Stem -> the stance classes it belongs to (a word may be in two: *lost* is lose and fall)."""
    index: dict[str, set[str]] = {}
    for cls, words in _STANCE_TEXT.items():
        for word in words.split():
            for key in {word, stem(word)}:
                index.setdefault(key, set()).add(cls)
    return {k: frozenset(v) for k, v in index.items()}


def stance_classes(word: str) -> frozenset[str]:
    """The stance classes of a case-folded word (empty when it carries no listed stance)."""
    index = _stance_index()
    return index.get(word) or index.get(stem(word)) or frozenset()


def negation_words(keys: list[str]) -> list[int]:
    """Indices of the words of a case-folded word list that negate their clause.

    ``"not"`` before *only* / *just* (``not only ... but``), ``"no"`` before *doubt* or *matter*
    (``no matter what``) are not counted.
    """
    out = []
    for i, key in enumerate(keys):
        if key in NEGATORS or key.endswith("n't"):
            nxt = keys[i + 1] if i + 1 < len(keys) else ""
            if nxt in _NOT_NEGATING_NEXT:
                continue
            out.append(i)
    return out


# --- spelling-insensitive comparison of names -------------------------------------------------

# Rewrites that make common transliteration variants spell alike (Poutine/Putin, Lawrow/Lavrov,
# Jelzin/Yeltsin, Tchaikovsky/Chaikovsky). Applied in order to the lower-case ASCII form.
_PHONETIC_RULES = (
    ("eau", "o"), ("tsch", "ch"), ("cz", "ch"), ("sz", "sh"), ("sch", "sh"), ("tch", "ch"), ("ph", "f"),
    ("ck", "k"), ("ou", "u"), ("oo", "u"), ("ie", "i"), ("ei", "i"), ("ai", "e"), ("w", "v"), ("y", "i"),
    ("j", "i"), ("z", "s"), ("c", "k"), ("q", "k"), ("x", "ks"), ("dh", "d"), ("th", "t"), ("kh", "h"),
)
_DOUBLED_RE = re.compile(r"(.)\1+")


def _ascii(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=16384)
def phonetic(word: str) -> str:
    """A rough spelling key of a name: accents dropped, transliteration variants folded.

    ``phonetic("Poutine") == phonetic("Putin") == "putin"``; ``phonetic("Lawrow") == "lavrov"``.
    """
    key = re.sub(r"[^a-z]", "", _ascii(word))
    for old, new in _PHONETIC_RULES:
        key = key.replace(old, new)
    key = _DOUBLED_RE.sub(r"\1", key)
    # A final -s or -e is often dropped or added in transliteration (Marseille/Marseilles).
    if len(key) > 4 and key.endswith("s"):
        key = key[:-1]
    return key[:-1] if len(key) > 3 and key.endswith("e") else key


def phonetic_skeleton(word: str) -> str:
    """The consonant skeleton of a word's :func:`phonetic` key (``"Pouten"`` -> ``"ptn"``)."""
    return _skeleton(phonetic(word))


def _skeleton(key: str) -> str:
    """First letter and the consonants after it: the part of a name that transliteration keeps."""
    return key[:1] + re.sub(r"[aeiou]", "", key[1:])


@lru_cache(maxsize=16384)
def same_name(a: str, b: str) -> float:
    """How surely two words are spellings of one name, in [0, 1] (0: different names).

    1.0 when their :func:`phonetic` keys are equal; else the rapidfuzz ratio of the keys / 100
    when the consonant skeletons are equal, or when the keys differ in length by at most one
    letter, their ratio is >= 80 and the skeletons' ratio >= 75; else 0.
    ``same_name("Pouten", "Putin") == 0.8``; ``same_name("Iran", "Iraq") == 0``;
    ``same_name("Austria", "Australia") == 0`` (a longer name is another name, not a spelling).
    """
    ka, kb = phonetic(a), phonetic(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    if min(len(ka), len(kb)) < 3:
        return 0.0
    ratio = fuzz.ratio(ka, kb) / 100.0
    sa, sb = _skeleton(ka), _skeleton(kb)
    if sa == sb or (abs(len(ka) - len(kb)) <= 1 and ratio >= 0.8 and fuzz.ratio(sa, sb) >= 75):
        return ratio
    return 0.0


# --- aliases: one referent, several names -----------------------------------------------------

_ALIAS_TEXT = """
us: us usa u.s.a united states united states of america america american americans washington
uk: uk britain great britain united kingdom british briton britons
eu: eu european union brussels
un: un united nations
russia: russia russian russians russian federation moscow kremlin
china: china chinese prc people's republic of china beijing
france: france french paris
germany: germany german germans berlin
spain: spain spanish madrid
italy: italy italian italians rome
japan: japan japanese tokyo
india: india indian indians delhi new delhi
ireland: ireland irish dublin
scotland: scotland scottish scots
wales: wales welsh
england: england english
netherlands: netherlands dutch holland
switzerland: switzerland swiss
sweden: sweden swedish
norway: norway norwegian
poland: poland polish
turkey: turkey turkish
iran: iran iranian tehran
iraq: iraq iraqi baghdad
israel: israel israeli
ukraine: ukraine ukrainian kiev kyiv
canada: canada canadian
australia: australia australian
mexico: mexico mexican
brazil: brazil brazilian
south korea: south korea south korean seoul
north korea: north korea north korean pyongyang
libdems: lib dems lib dem liberal democrats liberal democrat
labour: labour labourites labour party
tories: tories tory conservatives conservative conservative party
nato: nato north atlantic treaty organisation north atlantic treaty organization
who: who world health organisation world health organization
imf: imf international monetary fund
""".strip()


def alias(name: str) -> str | None:
    """The canonical referent of a country, bloc or party name, demonym or capital, else None.

    ``alias("United States") == alias("American") == alias("USA") == "us"``. ``name`` is matched
    case-insensitively, dots removed, a possessive dropped.
    """
    key = re.sub(r"'s?$", "", name.casefold().replace(".", "").strip())
    return _phrase_index().get(key)


@lru_cache(maxsize=1)
def _phrase_index() -> dict[str, str]:
    """Phrase -> canonical referent. Each line of the table lists phrases separated by blanks; the
    phrases of several words (listed in ``_MULTIWORD``) are read greedily, longest first."""
    index: dict[str, str] = {}
    for line in _ALIAS_TEXT.splitlines():
        canon, names = (part.strip() for part in line.split(":", 1))
        words = names.split()
        k = 0
        while k < len(words):
            for size in (5, 4, 3, 2, 1):
                phrase = " ".join(words[k:k + size])
                if size == 1 or phrase in _MULTIWORD:
                    index[phrase] = canon
                    k += size
                    break
    return index


_MULTIWORD = frozenset({
    "united states", "united states of america", "great britain", "united kingdom", "european union",
    "united nations", "russian federation", "people's republic of china", "new delhi", "south korea",
    "south korean", "north korea", "north korean", "lib dems", "lib dem", "liberal democrats",
    "liberal democrat", "labour party", "conservative party", "north atlantic treaty organisation",
    "north atlantic treaty organization", "world health organisation", "world health organization",
    "international monetary fund",
})
