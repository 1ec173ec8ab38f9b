"""Small hand-made crawls for the scan tests: invented articles, their copies, and records to skip.

Every article here is invented for these tests. :func:`write_warc` writes a WARC (gzipped or not)
from :class:`Rec` descriptions with warcio; damaged records are written byte by byte.
"""

from __future__ import annotations

import gzip
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from unspin import Document, Index

FERRY = "\n\n".join((
    'Eastmere council closes the old ferry pier',
    'The harbour council of Eastmere voted on Tuesday to close the old ferry pier after engineers '
    'found deep cracks in its timber piles.',
    "Repairs would have cost 2.4 million pounds, the council's treasurer, Wendy Halloran, told a "
    'packed meeting in the town hall.',
    'The pier has carried passengers to the island of Skerrin since 1911, and islanders fear the '
    'closure will cut them off during the winter storms.',
    'Councillor Tomas Brennock said a temporary landing stage would be built at Gull Point within '
    'eight weeks.',
    'The ferry company, Skerrin Sound Lines, said it would move its two boats to the new stage and '
    'keep the timetable unchanged.',
    'A petition against the closure has gathered 3,150 signatures, and campaigners plan a march along'
    ' the seafront on Saturday.',
))

ORCHARD = "\n\n".join((
    "Late frost ruins half of Kelbury's apple blossom",
    'A late frost on Sunday night destroyed about half of the apple blossom in the orchards around '
    'Kelbury, growers said.',
    'Temperatures fell to minus four degrees in the valley, the lowest May reading the weather '
    'station has recorded since 1987.',
    'Fruit farmer Agnes Pellworth said her Bramley trees had lost almost every flower and she '
    'expected no crop from them this autumn.',
    'The Kelbury cider cooperative buys fruit from 46 farms and warned that prices for its cloudy '
    'cider would rise next year.',
    'Growers lit paraffin burners between the rows to keep the air moving, but the cold settled in '
    'the low fields before dawn.',
    'The county agricultural office will survey the damage this week and may ask the government for '
    'emergency grants.',
))

OBSERVATORY = "\n\n".join((
    'Marlhaven observatory wins money for a new telescope',
    'The hilltop observatory at Marlhaven has been awarded 780,000 pounds to build a telescope that '
    'will track asteroids.',
    'The grant comes from the national science fund and covers the mirror, the dome motors and two '
    'years of running costs.',
    'Director Ingrid Sollasen said the instrument would scan the whole northern sky every four '
    'nights.',
    'Volunteers from the Marlhaven astronomy club have run public viewing evenings at the site for '
    'thirty years.',
    'The old refractor, built in 1898, will stay in its brass dome as a museum piece open to schools.',
    'Construction begins in September, and the first images are expected before the end of next '
    'spring.',
))

CYCLING = "\n\n".join((
    'Rain fails to stop the Tarnford cycle race',
    'More than two hundred riders took part in the annual Tarnford road race on Sunday despite heavy '
    'rain.',
    'The winner, Lucia Varga, crossed the line in two hours and eleven minutes after a solo attack on'
    ' the final climb.',
    'Spectators lined the cobbled main street, where the organisers had laid straw bales on the '
    'sharpest bend.',
    'Next year the race will add a shorter route for junior riders, the club secretary announced at '
    'the prize giving.',
))

SOURCES = {"src-ferry": FERRY, "src-orchard": ORCHARD, "src-observatory": OBSERVATORY}
SOURCE_META = {
    "src-ferry": {"site": "eastmere-gazette.example", "date": "2024-03-05"},
    "src-orchard": {"site": "valley-courier.example", "date": "2024-05-13"},
    "src-observatory": {"site": "eastmere-gazette.example", "date": "2024-06-20"},
}
_LOOKALIKES = str.maketrans({"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440"})


def homoglyphs(text: str) -> str:
    """Every third word with Latin letters swapped for Cyrillic look-alikes."""
    return " ".join(w.translate(_LOOKALIKES) if i % 3 == 1 else w for i, w in enumerate(text.split(" ")))


def build_index(path: Path) -> Path:
    """An index of the three invented source articles, with dates and sites."""
    with Index.open(path, create=True) as index:
        index.add(Document(id=doc_id, text=text, meta={"title": text.split("\n")[0], **SOURCE_META[doc_id]})
                  for doc_id, text in SOURCES.items())
    return path


def blog_page(text: str, *, site: str = "copycat.example") -> str:
    """An article in a small blog template (navigation, share bar, comment form)."""
    title, _, body = text.partition("\n\n")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n"))
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/about'>About</a></nav>"
            f"<article><h1>{html.escape(title)}</h1>{paragraphs}</article>"
            f"<div class='share'>Share: Facebook Twitter Email</div>"
            f"<footer>Copyright {site}</footer></body></html>")


HTML_UTF8 = "text/html; charset=utf-8"


@dataclass
class Rec:
    """One response record to write."""

    url: str
    body: bytes
    status: str = "200 OK"
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", HTML_UTF8)])
    date: str = "2024-07-01T12:00:00Z"
    corrupt: bool = False  # flip a payload byte after the digest is computed


def write_warc(path: Path, records: list[Rec], *, gzipped: bool = True, truncate_last: bool = False,
               garbage_before: int | None = None) -> Path:
    """Write ``records`` as a WARC file (a warcinfo record first).

    Args:
        truncate_last: cut the file in the middle of its last record.
        garbage_before: write a few bytes of garbage before the record with this index.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    last_start = 0
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "unspin tests"}))
        for number, rec in enumerate(records):
            if garbage_before == number:
                stream.write(b"\r\nthis is not a warc record\r\n\r\n")
            last_start = stream.tell()
            http = StatusAndHeaders(rec.status, list(rec.headers), protocol="HTTP/1.1")
            record = writer.create_warc_record(rec.url, "response", payload=io.BytesIO(rec.body),
                                               http_headers=http,
                                               warc_headers_dict={"WARC-Date": rec.date})
            if not rec.corrupt:
                writer.write_record(record)
                continue
            buffer = io.BytesIO()
            WARCWriter(buffer, gzip=False).write_record(record)
            data = bytearray(buffer.getvalue())
            data[-12] ^= 0x01  # inside the payload, which ends 4 bytes before the record end
            stream.write(gzip.compress(bytes(data)) if gzipped else bytes(data))
    if truncate_last:
        whole = path.read_bytes()
        path.write_bytes(whole[: last_start + (len(whole) - last_start) // 2])
    return path


def standard_records() -> list[Rec]:
    """Three copies, one unrelated page, an image and a 404 page."""
    dropped = "\n\n".join(p for i, p in enumerate(OBSERVATORY.split("\n\n")) if i != 4)
    return [
        Rec("https://copycat.example/ferry", blog_page(FERRY).encode()),
        Rec("https://www.mirror-news.example/2024/orchard", blog_page(homoglyphs(ORCHARD)).encode(),
            date="2024-05-20T08:00:00Z"),
        Rec("https://cycling.example/race", blog_page(CYCLING).encode()),
        Rec("https://copycat.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300),
            headers=[("Content-Type", "image/png")]),
        Rec("https://copycat.example/missing", b"<html><body><p>Not found</p></body></html>",
            status="404 Not Found"),
        Rec("https://mirror-news.example/stars", blog_page(dropped).encode(), date="2024-06-25T09:30:00Z"),
    ]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
