"""Tests of the cross-language path: unspin.crosslang.tracing and its use by Tracer.trace / compare.

The English source, its French, German and Russian translations, an independent French report of
the same event and the distractors are all invented for these tests. The multilingual model is
loaded once for the module.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import numpy as np
import pytest

from unspin import Comparer, Document, Index, Tracer
from unspin.crosslang.tracing import (
    ANCHOR_BONUS,
    ANCHOR_BONUS_MAX,
    ANCHOR_FLOOR,
    MultilingualEmbedder,
    anchor_matrix,
    cross_similarity,
    cross_units,
    join_ordinal_splits,
    number_changes,
)
from unspin.report.render import load_schema, render_html, render_text
from unspin.results import Passage, SentencePair
from unspin.text.segment import split_sentences
from unspin.tracing.align import Unit

# --------------------------------------------------------------------------- invented articles

SOURCE_ID = "keswin-herald/tidal-barrage"
SOURCE = """Port Keswin approves £1.3bn tidal barrage

The city council of Port Keswin voted on Tuesday to build a tidal barrage across the Orrin estuary, \
a project costing £1.3bn.

The barrage will generate enough electricity for 474,000 homes, according to the Keswin Tidal Company, \
which will build and run it. Construction is due to begin on 14 March and the first turbines should \
turn in 2031.

Mayor Marta Oyelaran said the vote was "the most important decision this council has taken in a \
generation". She promised that local firms would receive at least a third of the contracts.

The council will borrow £400m for its share of the cost, adding 0.25% to its annual debt charges. \
Opposition councillor Daniel Whitcombe voted against the plan, saying the figures were "built on hope \
rather than evidence".

Fishermen fear the barrage will close the estuary to the salmon that spawn upstream. The company says \
fish passes in the structure will let 90% of them through.

About 2,400 people will work on the site at the peak of construction."""

FRENCH = """Port Keswin approuve un barrage marémoteur de 1,3 milliard de livres

Le conseil municipal de Port Keswin a voté mardi la construction d'un barrage marémoteur sur \
l'estuaire de l'Orrin, un projet qui coûtera 1,3 milliard de livres.

Le barrage produira assez d'électricité pour 474 000 foyers, selon la Keswin Tidal Company, qui le \
construira et l'exploitera. Les travaux doivent commencer le 14 mars et les premières turbines \
devraient tourner en 2031.

La maire Marta Oyelaran a déclaré que ce vote était « la décision la plus importante que ce conseil \
ait prise depuis une génération ». Elle a promis que les entreprises locales recevraient au moins un \
tiers des contrats.

Le conseil empruntera 400 millions de livres pour sa part du coût, ce qui augmentera de 0,25 % ses \
charges annuelles de la dette. Le conseiller d'opposition Daniel Whitcombe a voté contre le projet, \
estimant que les chiffres étaient « fondés sur l'espoir plutôt que sur des preuves ».

Les pêcheurs craignent que le barrage ne ferme l'estuaire aux saumons qui fraient en amont. \
L'entreprise affirme que des passes à poissons dans l'ouvrage laisseront passer 90 % d'entre eux.

Environ 2 400 personnes travailleront sur le chantier au plus fort des travaux."""

GERMAN = """Port Keswin genehmigt Gezeitensperrwerk für 1,3 Milliarden Pfund

Der Stadtrat von Port Keswin hat am Dienstag beschlossen, ein Gezeitensperrwerk an der Mündung des \
Orrin zu bauen, ein Projekt, das 1,3 Milliarden Pfund kostet.

Das Sperrwerk wird nach Angaben der Keswin Tidal Company, die es bauen und betreiben wird, genug Strom \
für 474.000 Haushalte erzeugen. Die Bauarbeiten sollen am 14. März beginnen, und die ersten Turbinen \
sollen sich 2031 drehen.

Bürgermeisterin Marta Oyelaran sagte, die Abstimmung sei „die wichtigste Entscheidung, die dieser Rat \
seit einer Generation getroffen hat“. Sie versprach, dass örtliche Firmen mindestens ein Drittel der \
Aufträge erhalten würden.

Der Rat wird für seinen Anteil an den Kosten 400 Millionen Pfund leihen, was seine jährlichen \
Schuldendienstkosten um 0,25 % erhöht. Oppositionsstadtrat Daniel Whitcombe stimmte gegen den Plan und \
sagte, die Zahlen seien „auf Hoffnung statt auf Beweise gebaut“.

Fischer befürchten, dass das Sperrwerk die Mündung für die Lachse schließt, die flussaufwärts laichen. \
Das Unternehmen sagt, Fischpässe im Bauwerk würden 90 % von ihnen passieren lassen.

Auf dem Höhepunkt der Bauarbeiten werden etwa 2.400 Menschen auf der Baustelle arbeiten."""

RUSSIAN = """Порт-Кесвин одобрил строительство приливной плотины за 1,3 млрд фунтов

Городской совет Порт-Кесвина во вторник проголосовал за строительство приливной плотины в устье реки \
Оррин стоимостью 1,3 млрд фунтов стерлингов.

По данным компании Keswin Tidal Company, которая построит плотину и будет ее эксплуатировать, она \
будет вырабатывать достаточно электроэнергии для 474 000 домов. Строительство должно начаться 14 марта, \
а первые турбины должны заработать в 2031 году.

Мэр Марта Ойеларан заявила, что голосование стало «самым важным решением, которое этот совет принял \
за целое поколение». Она пообещала, что местные фирмы получат не менее трети контрактов.

Совет займет 400 млн фунтов на свою долю расходов, что увеличит его ежегодные расходы по обслуживанию \
долга на 0,25%. Член совета от оппозиции Дэниел Уиткомб проголосовал против плана, заявив, что расчеты \
«основаны на надежде, а не на фактах».

Рыбаки опасаются, что плотина закроет устье для лосося, который нерестится выше по течению. В компании \
утверждают, что рыбоходы в сооружении пропустят 90% рыбы.

На пике строительства на объекте будут работать около 2400 человек."""

# The same event reported independently in French: same names and figures, its own sentences.
FRENCH_SAME_EVENT = """Feu vert pour l'usine marémotrice de l'Orrin

Les élus de Port Keswin ont donné leur accord, à l'issue d'une séance agitée, au projet de la Keswin \
Tidal Company. Les associations de pêcheurs, venues nombreuses, ont quitté la salle avant la fin des \
débats. Elles annoncent un recours devant le tribunal administratif dès la semaine prochaine.

Le chantier, estimé à 1,3 milliard de livres, est l'un des plus importants jamais lancés dans la \
région. Pour Marta Oyelaran, maire depuis 2019, la ville « ne pouvait pas laisser passer cette chance ». \
Son principal adversaire, Daniel Whitcombe, dénonce un pari financier dangereux et réclame un \
référendum local.

Selon les ingénieurs consultés par notre rédaction, l'ouvrage pourrait alimenter 474 000 foyers, mais \
seulement par marée favorable. Plusieurs spécialistes doutent que les passes à poissons suffisent à \
protéger les saumons. Un barrage comparable, construit en Bretagne dans les années 1960, a \
profondément modifié l'écosystème de son estuaire.

La mise en service est attendue en 2031. D'ici là, la commune devra trouver 400 millions de livres."""

# Distractors that share names, places and figures with the source.
FERRY_ID = "keswin-herald/ferry-fares"
FERRY = """Port Keswin ferry fares to rise in March

Fares on the Orrin estuary ferry will rise by 12% from 14 March, the Keswin Ferry Company said on \
Friday.

Mayor Marta Oyelaran called the increase "regrettable but unavoidable" after fuel costs doubled. A \
return ticket will cost £4.80, up from £4.30.

The company carries about 400,000 passengers a year between Port Keswin and Lyme Ferris. It said it \
would freeze fares for pensioners until 2031."""

LAGOON_ID = "coast-news/severn-lagoon"
LAGOON = """Tidal lagoon plan shelved after costs soar

Plans for a tidal lagoon off the coast of Westhaven have been shelved after the estimated cost rose to \
£1.3bn, its backers said on Tuesday.

The lagoon would have powered 150,000 homes. Investors withdrew after the government refused to \
guarantee the price of its electricity for 35 years.

Environmental groups welcomed the decision, saying the lagoon would have harmed feeding grounds for \
migrating birds."""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    path = tmp_path_factory.mktemp("crosslang-index")
    idx = Index.open(path, create=True)
    idx.add([Document(SOURCE_ID, SOURCE), Document(FERRY_ID, FERRY), Document(LAGOON_ID, LAGOON)])
    return idx


@pytest.fixture(scope="module")
def tracer(index: Index) -> Tracer:
    return Tracer(index)


def _covered(result_passages: list[tuple[int, int]], text: str) -> float:
    covered = sum(end - start for start, end in result_passages)
    return covered / len(text)


# --------------------------------------------------------------------------- units and similarity


def test_cross_units_carry_anchors_and_locale_numbers() -> None:
    units = cross_units(GERMAN, split_sentences(GERMAN), "de")
    assert len(units) == len(split_sentences(SOURCE)) == 11
    # "am 14. März" is one sentence, not two.
    assert any(u.text.startswith("Die Bauarbeiten sollen am 14. März beginnen") for u in units)
    numbers = set().union(*(u.numbers for u in units))
    assert {"1.3", "474000", "400", "0.25", "2400", "2031", "14", "90"} <= numbers
    tokens = set().union(*(u.tokens for u in units))
    assert {"keswin", "oyelaran", "whitcomb", "tuesday"} <= tokens
    for unit in units:
        assert GERMAN[unit.start:unit.end] == unit.text


def test_ordinal_dates_are_not_sentence_ends() -> None:
    text = "Die Wahl findet am 3. Mai statt. Gezählt wird ab 18 Uhr. Es kamen 12. Dann gingen alle."
    joined = join_ordinal_splits(text, split_sentences(text))
    assert [s.text for s in joined][:2] == ["Die Wahl findet am 3. Mai statt.", "Gezählt wird ab 18 Uhr."]
    # "Es kamen 12." ends a sentence: the next one opens with a capitalised ordinary word.
    assert "Es kamen 12." in [s.text for s in joined]
    assert all(text[s.start:s.end] == s.text for s in joined)


def test_anchor_matrix_counts_shared_anchors() -> None:
    a = [Unit(0, 1, "x", frozenset({"keswin", "2031"}), frozenset()),
         Unit(1, 2, "y", frozenset(), frozenset())]
    b = [Unit(0, 1, "x", frozenset({"keswin", "2031", "turbin"}), frozenset()),
         Unit(1, 2, "y", frozenset({"salmon"}), frozenset())]
    assert anchor_matrix(a, b).tolist() == [[2.0, 0.0], [0.0, 0.0]]


def test_anchor_bonus_only_lifts_pairs_that_already_look_alike() -> None:
    anchors = frozenset({"keswin", "2031", "oyelaran", "474000"})
    a = [Unit(0, 1, "a", anchors, frozenset()), Unit(1, 2, "b", anchors, frozenset())]
    b = [Unit(0, 1, "c", anchors, frozenset())]
    # Unit vectors with cosines 0.6 and 0.2 to the source sentence.
    b_vec = np.array([[1.0, 0.0]], dtype=np.float32)
    a_vec = np.array([[0.6, 0.8], [0.2, np.sqrt(0.96)]], dtype=np.float32)
    sim = cross_similarity(a, b, a_vec, b_vec)
    assert sim[0, 0] == pytest.approx(0.6 + ANCHOR_BONUS_MAX, abs=1e-5)  # 4 anchors, capped
    assert sim[1, 0] == pytest.approx(0.2, abs=1e-5)  # below ANCHOR_FLOOR: no bonus
    assert ANCHOR_FLOOR > 0.2 and ANCHOR_BONUS * 4 > ANCHOR_BONUS_MAX


def test_cross_similarity_of_empty_inputs() -> None:
    assert cross_similarity([], [], np.zeros((0, 512)), np.zeros((0, 512))).shape == (0, 0)


def test_multilingual_embedder_separates_translations_from_other_sentences() -> None:
    model = MultilingualEmbedder()
    vectors = model.encode([
        "Fishermen fear the barrage will close the estuary to the salmon that spawn upstream.",
        "Les pêcheurs craignent que le barrage ne ferme l'estuaire aux saumons qui fraient en amont.",
        "Рыбаки опасаются, что плотина закроет устье для лосося, который нерестится выше по течению.",
        "Der Rat wird für seinen Anteil an den Kosten 400 Millionen Pfund leihen.",
    ])
    assert vectors.shape == (4, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cos = vectors @ vectors.T
    assert cos[0, 1] > 0.6 and cos[0, 2] > 0.6
    assert cos[0, 3] < cos[0, 1] - 0.3
    assert model.encode([]).shape == (0, 512)


def test_multilingual_embedder_computes_on_one_thread_the_vectors_of_two() -> None:
    # One BLAS thread is the default (two took 3-5 times the CPU on 2 cores); the vectors are the same.
    sentences = ["Les pêcheurs craignent que le barrage ne ferme l'estuaire.",
                 "Der Rat wird für seinen Anteil an den Kosten 400 Millionen Pfund leihen."]
    one = MultilingualEmbedder()
    assert one.threads == 1
    assert np.array_equal(one.encode(sentences), MultilingualEmbedder(threads=2).encode(sentences))


# --------------------------------------------------------------------------- tracing


@pytest.mark.parametrize(("text", "language"), [(FRENCH, "fr"), (GERMAN, "de"), (RUSSIAN, "ru")])
def test_translation_traces_to_its_english_source(tracer: Tracer, text: str, language: str) -> None:
    result = tracer.trace(Document("suspect", text))
    assert result.language == language
    assert [s.doc_id for s in result.sources] == [SOURCE_ID]
    match = result.sources[0]
    assert match.language == "en"
    assert match.score >= 0.9
    assert match.coverage >= 0.9
    # One passage for a faithful translation, pointing into both texts.
    assert len(match.passages) == 1
    passage = match.passages[0]
    assert _covered([passage.suspect], text) >= 0.9
    assert _covered([passage.source], SOURCE) >= 0.9
    # The headline is paired with the headline, the last sentence with the last sentence.
    first, last = passage.pairs[0], passage.pairs[-1]
    assert SOURCE[first.source[0]:first.source[1]].startswith("Port Keswin approves")
    assert SOURCE[last.source[0]:last.source[1]].startswith("About 2,400 people")
    assert text[last.suspect[0]:last.suspect[1]] == text.strip().splitlines()[-1]


def test_same_event_report_in_french_is_not_a_source(tracer: Tracer) -> None:
    result = tracer.trace(Document("same-event", FRENCH_SAME_EVENT))
    assert result.language == "fr"
    assert result.sources == ()
    # It was considered and came close enough to be listed, but fell short.
    assert SOURCE_ID in [m.doc_id for m in result.rejected]
    assert max(m.score for m in result.rejected) < 0.5


def test_english_suspect_keeps_the_english_path(tracer: Tracer) -> None:
    copy = SOURCE.replace("voted on Tuesday", "decided on Tuesday")
    result = tracer.trace(Document("english-copy", copy))
    assert result.language == "en"
    assert [s.doc_id for s in result.sources] == [SOURCE_ID]
    assert result.sources[0].evidence["embedded"] == 0.0  # settled lexically, no model needed


def test_language_is_in_the_json(tracer: Tracer) -> None:
    data = tracer.trace(Document("suspect", FRENCH)).to_dict(include_text=False)
    assert data["suspect"]["language"] == "fr"
    assert data["sources"][0]["language"] == "en"
    schema = load_schema()
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    for name in ("suspect", "source"):
        assert "language" in schema["$defs"][name]["properties"]
    data["suspect"]["language"] = "French"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_compare_across_languages_both_ways() -> None:
    tracer = Comparer()
    forward = tracer.compare(Document("fr", FRENCH), Document("en", SOURCE))
    assert forward.found and forward.language == "fr" and forward.sources[0].language == "en"
    # An English copy of a German original.
    backward = tracer.compare(Document("en", SOURCE), Document("de", GERMAN))
    assert backward.found and backward.language == "en" and backward.sources[0].language == "de"
    same_event = tracer.compare(Document("fr", FRENCH_SAME_EVENT), Document("en", SOURCE))
    assert not same_event.found
    assert same_event.rejected and same_event.rejected[0].score < 0.5


def test_english_copy_of_a_source_in_another_language(tmp_path: Path) -> None:
    with Index.open(tmp_path / "idx", create=True) as idx:
        idx.add([Document("de-source", GERMAN), Document(FERRY_ID, FERRY), Document(LAGOON_ID, LAGOON)])
        result = Tracer(idx).trace(Document("english", SOURCE))
    assert result.language == "en"
    assert [s.doc_id for s in result.sources] == ["de-source"]
    assert result.sources[0].language == "de"


def test_translation_of_a_text_missing_from_the_index_finds_nothing(tmp_path: Path) -> None:
    with Index.open(tmp_path / "idx", create=True) as idx:
        idx.add([Document(FERRY_ID, FERRY), Document(LAGOON_ID, LAGOON)])
        result = Tracer(idx).trace(Document("suspect", FRENCH))
    assert result.language == "fr"
    assert result.sources == ()
    assert result.candidates >= 1  # the distractors were retrieved and rejected


# --------------------------------------------------------------------------- changes


def test_faithful_translations_report_no_changes(tracer: Tracer) -> None:
    for text in (FRENCH, GERMAN, RUSSIAN):
        result = tracer.trace(Document("suspect", text))
        assert result.sources[0].changes == ()


def test_changed_figure_in_a_translation_is_reported(tracer: Tracer) -> None:
    altered = FRENCH.replace("474 000 foyers", "740 000 foyers")
    result = tracer.trace(Document("altered", altered))
    changes = result.sources[0].changes
    assert [c.kind for c in changes] == ["number-changed"]
    change = changes[0]
    assert change.severity == "factual"
    assert altered[change.suspect[0]:change.suspect[1]] == "740 000"
    assert SOURCE[change.source[0]:change.source[1]] == "474,000"
    assert "474,000" in change.explanation and "740 000" in change.explanation


def test_number_changes_compare_values_across_formats_and_scales() -> None:
    source = "The debt was 6.5 billion reais ($2.3bn), and the deal closed at 10.38am with 5% down."
    spanish = ("La deuda era de 6.500 millones de reales (2.300 millones de dólares) y el acuerdo se "
               "cerró a las 10:38.")
    passage = Passage((0, len(spanish)), (0, len(source)), 0.9,
                      (SentencePair((0, len(spanish)), (0, len(source)), 0.9),))
    assert number_changes(spanish, "es", source, "en", [passage]) == ()
    changed = spanish.replace("2.300", "3.200")
    found = number_changes(changed, "es", source, "en", [passage])
    assert [(c.suspect_text, c.source_text) for c in found] == [("3.200", "2.3")]


def test_reports_show_the_languages(tracer: Tracer) -> None:
    result = tracer.trace(Document("suspect", GERMAN))
    text = render_text(result)
    assert f"({len(GERMAN)} chars, language de)" in text
    assert "    language: en" in text
    page = render_html(result)
    assert "<dt>language</dt><dd>de</dd>" in page and " · language en</p>" in page
