"""Invented local-news articles for synthetic crawls (all text here is written for this project).

:func:`article` draws a headline and paragraphs about an invented town, person, club or firm from
sentence templates per topic, so that thousands of distinct, news-like articles can be made from
a seed. :func:`homoglyphs` and :func:`spin` make the obfuscated and spun copies that the crawl
generator needs when no benchmark data is at hand.
"""

from __future__ import annotations

import random
import re

_TOWN_HEADS = ("Ash", "Bram", "Cold", "Dun", "Elm", "Fen", "Gar", "Hart", "Kel", "Lang", "Marl", "Nor", "Oak",
               "Pen", "Ross", "Sand", "Thorn", "Wey", "Brack", "Cal", "Hol", "Lin", "Stan", "Wil")
_TOWN_TAILS = ("ford", "bury", "ton", "mere", "wick", "by", "stead", "field", "haven", "mouth", "ley",
               "combe")
_FIRST = ("Anna", "Ben", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "James", "Kofi", "Lena",
          "Marcus", "Nadia", "Owen", "Priya", "Quentin", "Rosa", "Samir", "Tess", "Umar", "Vera", "Wes",
          "Yara")
_SUR_HEADS = ("Ald", "Bex", "Carr", "Dal", "Ever", "Fair", "Gold", "Hal", "Ing", "Jess", "Kirk", "Lom", "Mor",
              "Nash", "Orr", "Pell", "Quin", "Rook", "Sel", "Tal", "Ulm", "Vance", "Wark", "Yeld")
_SUR_TAILS = ("ridge", "worth", "son", "ley", "ford", "by", "more", "well", "ton", "wood", "hurst", "er")
_FIRM_TAILS = ("Holdings", "Group", "Systems", "Foods", "Logistics", "Energy", "Textiles", "Bank", "Media")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Topic -> (headline templates, sentence templates). Slots: {town} {town2} {person} {person2}
# {firm} {club} {club2} {n} {n2} {pct} {money} {month} {day} {year}.
_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "council": (
        ("{town} council votes to close {n}-year-old pier", "Row over {town} bus lanes reaches council",
         "{town} approves {money} plan for new library"),
        ("Councillors in {town} voted {n} to {n2} on {day} to approve the plan.",
         "The scheme will cost {money}, according to the council's finance officer, {person}.",
         "Residents had collected more than {n}00 signatures against the proposal.",
         "{person}, who chairs the planning committee, said the decision had not been taken lightly.",
         "Opposition members argued that the money would be better spent on roads in {town2}.",
         "Work is expected to begin in {month} and last about {n} months.",
         "A public consultation in {month} drew {n}00 responses, most of them critical.",
         "The council said it would publish the full costs before the end of {year}.",
         "Local traders fear the changes will keep shoppers away from the high street.",
         "\"We have listened to people and changed the design twice,\" {person} told the meeting.")),
    "football": (
        ("{club} snatch late win at {club2}", "{club} sack manager after {n} defeats",
         "Record crowd sees {club} hold {club2}"),
        ("{club} came from behind to beat {club2} {n} goals to {n2} on {day}.",
         "Striker {person} scored twice in the final ten minutes.",
         "The result lifts {club} to {n}th place in the table.",
         "Manager {person2} praised the spirit of his young squad.",
         "A crowd of {n},{n2}00 watched the match at the club's ground in {town}.",
         "{club2} had led at half-time through a header from {person}.",
         "The club has won only {n} of its last {n2} away games.",
         "\"We never stopped believing,\" said captain {person} after the final whistle.",
         "Ticket prices for the next home game will be cut by {pct}, the club announced.",
         "The two sides meet again in the cup in {month}.")),
    "business": (
        ("{firm} profits rise {pct} on strong demand", "{firm} to cut {n}00 jobs in {town}",
         "Shares in {firm} fall after warning"),
        ("{firm} reported a pre-tax profit of {money} for the year to {month}.",
         "Sales rose by {pct}, helped by exports to new markets.",
         "Chief executive {person} said the firm would open a new plant in {town} next year.",
         "The company employs about {n},{n2}00 people, most of them in {town2}.",
         "Analysts had expected a smaller rise in profits.",
         "Shares in the firm closed {pct} higher on {day}.",
         "Unions said they would seek talks about the planned job cuts.",
         "The group also raised its dividend to {n} pence a share.",
         "Rising energy costs remain the biggest risk for the coming year, the board warned.",
         "\"It has been a year of steady progress,\" {person} said in a statement.")),
    "weather": (
        ("Floods close roads around {town}", "{town} records hottest {month} day",
         "Storm leaves {n},{n2}00 homes without power"),
        ("Heavy rain on {day} flooded several roads around {town}.",
         "The river rose by {n} metres in less than a day, the environment agency said.",
         "Emergency crews rescued {n} people from cars trapped by the water.",
         "Forecasters expect more rain over the weekend in {town2}.",
         "The temperature reached {n}{n2} degrees, the highest since records began in {year}.",
         "Power was restored to most homes by the evening, the network operator said.",
         "Farmers say the wet {month} has already damaged crops.",
         "Schools in {town} stayed closed as a precaution.",
         "{person}, who runs a cafe by the river, said the water reached her front step.",
         "The council has handed out {n},{n2}00 sandbags since the start of the month.")),
    "court": (
        ("{town} man jailed for fraud", "Jury clears {town} teacher of assault",
         "Landlord fined {money} over unsafe flats"),
        ("{person}, {n}{n2}, was sentenced at {town} Crown Court on {day}.",
         "The court heard that he had taken {money} from elderly customers over {n} years.",
         "Judge {person2} said the offences showed a gross breach of trust.",
         "The jury took {n} hours to reach its verdict.",
         "Prosecutors said the flats had no working fire alarms.",
         "He was ordered to pay {money} in compensation.",
         "The defence argued that he had acted under pressure from his employer.",
         "Police said they were pleased with the outcome of a long investigation.",
         "Several victims were in court to hear the sentence.",
         "\"Justice has finally been done,\" one of them said outside the court.")),
    "school": (
        ("{town} school rated outstanding", "Parents protest over {town} school merger",
         "Exam results improve at {town} academy"),
        ("Inspectors praised the teaching at {town} High School in a report published on {day}.",
         "The school has {n}00 pupils aged between {n} and 18.",
         "Head teacher {person} said staff had worked hard to raise standards.",
         "Parents in {town2} say the planned merger would mean long journeys for young children.",
         "The share of pupils reaching the expected grades rose by {pct}.",
         "The education authority will decide on the merger in {month}.",
         "A new science block, costing {money}, opened last year.",
         "\"The children deserve all the credit,\" {person} said.",
         "Governors have asked for more time to study the proposals.",
         "Around {n}00 parents signed a letter opposing the plan.")),
    "health": (
        ("Waiting times fall at {town} hospital", "New clinic opens in {town}",
         "{town} hospital trust warns of winter pressure"),
        ("Patients at {town} General Hospital waited an average of {n} weeks for routine operations.",
         "The figure is {pct} lower than a year ago, the hospital trust said.",
         "Chief nurse {person} said more staff had been recruited since {month}.",
         "The new clinic in {town2} will treat about {n},{n2}00 patients a year.",
         "The trust expects a rise in admissions over the winter months.",
         "Its budget for the coming year is {money}.",
         "Campaigners say services in rural areas are still stretched.",
         "The hospital plans to open {n} more beds by {month}.",
         "\"We are not complacent,\" the trust's chief executive, {person2}, said.",
         "Patients praised the staff but complained about parking charges.")),
    "transport": (
        ("Rail line to {town} reopens after {n} years", "Fares rise {pct} on {town} buses",
         "Bypass plan for {town} approved"),
        ("The line between {town} and {town2} reopened to passengers on {day}.",
         "About {n},{n2}00 journeys a week are expected in the first year.",
         "The project cost {money}, shared between the government and the council.",
         "Transport manager {person} said the new timetable would bring trains every {n}0 minutes.",
         "Bus fares in {town} will rise by {pct} from {month}.",
         "Drivers have complained for years about queues on the main road through the town.",
         "The bypass will take about {n} years to build.",
         "Environmental groups said the road would damage ancient woodland.",
         "\"This is a great day for the whole valley,\" {person2} said at the opening.",
         "Commuters said the trains were already busier than expected.")),
    "culture": (
        ("{town} festival draws record crowds", "Museum in {town} wins national award",
         "Lost painting found in {town} attic"),
        ("More than {n}{n2},000 people attended the festival over three days.",
         "The museum in {town} was named museum of the year on {day}.",
         "The painting, thought lost since {year}, was found by {person} while clearing a house.",
         "Experts say it could be worth {money}.",
         "Organiser {person2} said the festival had brought {money} into the local economy.",
         "The award comes with a prize of {money}, which will pay for a new gallery.",
         "Bands from {town2} and abroad played on {n} stages.",
         "The exhibition will open to the public in {month}.",
         "\"We could not believe our eyes,\" {person} said.",
         "Tickets for next year's event go on sale in {month}.")),
}

_HOMOGLYPHS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "x": "\u0445",
               "y": "\u0443", "i": "\u0456", "s": "\u0455", "A": "\u0410", "B": "\u0412", "C": "\u0421",
               "E": "\u0415", "H": "\u041d", "K": "\u041a", "M": "\u041c", "O": "\u041e", "P": "\u0420",
               "T": "\u0422", "X": "\u0425"}
# Synonyms for spinning, written for this project (word -> replacements).
_SYNONYMS = {"said": ("stated", "noted"), "plan": ("scheme", "proposal"), "people": ("residents", "locals"),
             "new": ("fresh", "recent"), "council": ("authority",), "rise": ("increase", "growth"),
             "cost": ("price", "expense"), "expected": ("anticipated", "forecast"), "help": ("assist",),
             "staff": ("workers", "employees"), "year": ("twelve months",), "home": ("house",),
             "big": ("large", "major"), "began": ("started",), "town": ("borough",), "warned": ("cautioned",),
             "children": ("kids", "youngsters"), "about": ("around", "roughly"), "raise": ("lift", "boost")}


def _name(rng: random.Random, heads: tuple[str, ...], tails: tuple[str, ...]) -> str:
    return rng.choice(heads) + rng.choice(tails)


def _slots(rng: random.Random) -> dict[str, str]:
    town, town2 = _name(rng, _TOWN_HEADS, _TOWN_TAILS), _name(rng, _TOWN_HEADS, _TOWN_TAILS)
    return {
        "town": town, "town2": town2,
        "person": f"{rng.choice(_FIRST)} {_name(rng, _SUR_HEADS, _SUR_TAILS)}",
        "person2": f"{rng.choice(_FIRST)} {_name(rng, _SUR_HEADS, _SUR_TAILS)}",
        "firm": f"{_name(rng, _SUR_HEADS, _SUR_TAILS)} {rng.choice(_FIRM_TAILS)}",
        "club": f"{town} {rng.choice(('Rovers', 'Athletic', 'United', 'Town'))}",
        "club2": f"{town2} {rng.choice(('City', 'Wanderers', 'Albion', 'FC'))}",
        "n": str(rng.randint(2, 9)), "n2": str(rng.randint(1, 9)), "pct": f"{rng.randint(2, 40)}%",
        "money": f"\u00a3{rng.randint(2, 95)}.{rng.randint(1, 9)}m", "month": rng.choice(_MONTHS),
        "day": rng.choice(_DAYS), "year": str(rng.randint(1950, 2004)),
    }


def article(rng: random.Random, topic: str | None = None) -> tuple[str, list[str]]:
    """An invented article: ``(headline, paragraphs)``; each paragraph holds one to three sentences."""
    name = topic or rng.choice(sorted(_TOPICS))
    heads, sentences = _TOPICS[name]
    slots = _slots(rng)
    chosen = rng.sample(sentences, rng.randint(6, len(sentences)))
    paragraphs: list[str] = []
    while chosen:
        take = min(len(chosen), rng.randint(1, 3))
        paragraphs.append(" ".join(s.format(**slots) for s in chosen[:take]))
        chosen = chosen[take:]
    return rng.choice(heads).format(**slots), paragraphs


def homoglyphs(text: str, rng: random.Random, share: float = 0.2) -> str:
    """Swap Latin letters for Cyrillic look-alikes in about ``share`` of the words."""
    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if rng.random() >= share:
            return word
        return "".join(_HOMOGLYPHS.get(ch, ch) if rng.random() < 0.6 else ch for ch in word)

    return re.sub(r"[A-Za-z]{3,}", swap, text)


def spin(text: str, rng: random.Random, share: float = 0.7) -> str:
    """Replace words from a small synonym list (a crude article spinner)."""
    def swap(match: re.Match[str]) -> str:
        word = match.group()
        options = _SYNONYMS.get(word.lower())
        if not options or rng.random() >= share:
            return word
        new = rng.choice(options)
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"[A-Za-z]+", swap, text)
