"""Tests for :mod:`unspin.inputs.extract`: every input format and every kind of bad input."""

from __future__ import annotations

import gzip
import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin.documents import content_id
from unspin.errors import InputError, OptionError
from unspin.inputs.extract import read_documents, read_suspect
from unspin.inputs.htmltext import html_to_text, looks_like_html

# An invented news story, used across the tests.
HEADLINE = "Harbour town votes to keep its ferry"
PARAGRAPHS = [
    "Residents of Port Alder voted on Sunday to keep the town's century-old ferry running, "
    "rejecting a council plan to replace it with a bus link over the new bridge.",
    "Turnout was 71%, the highest in a local vote since 1998. The ferry's operator, Alder "
    "Crossings, said it would need a grant of about £2.4m to replace its two ageing boats.",
    "\"People here grew up on that boat,\" said councillor Mirela Oduya, who had campaigned "
    "against the plan. \"It is not just transport, it is how the town meets itself.\"",
    "The council will now ask the regional transport fund for the money. A decision is "
    "expected before the summer timetable starts in May.",
]
STORY = HEADLINE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"

WORDPRESS_PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{HEADLINE} | Coastline Daily News</title></head>
<body><header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a>
<a href="/about">About us</a></nav><div class="ad">Advertisement</div></header>
<main><article><h1 class="entry-title">{HEADLINE}</h1>
<div class="meta">Posted by editor on 2024-04-02</div>
<div class="entry-content">{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</div>
<div class="share">Share this: Facebook Twitter WhatsApp Email</div></article>
<aside><h3>Related Posts</h3><ul><li><a href="#">Bridge tolls to rise in autumn</a></li>
<li><a href="#">Lifeboat crew honoured at ceremony</a></li></ul></aside>
<section id="comments"><h3 id="reply-title">Leave a Reply</h3><form>
<p>Your email address will not be published. Required fields are marked *</p>
<label>Comment</label><textarea></textarea><label>Name *</label><input>
<button>Post Comment</button></form></section></main>
<footer>Copyright 2024 Coastline Daily News. Privacy Policy | Terms</footer></body></html>
"""

BOILERPLATE = ["Leave a Reply", "Required fields", "Post Comment", "Share this", "Related Posts",
               "Bridge tolls", "About us", "Advertisement", "Privacy Policy", "Posted by"]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def read_one(path: Path, **kwargs: object) -> InputError:
    """The error raised when reading ``path`` alone."""
    with pytest.raises(InputError) as caught:
        list(read_documents([path], **kwargs))  # type: ignore[arg-type]
    return caught.value


# --------------------------------------------------------------------------- plain text


def test_txt_is_one_document_kept_exactly(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt", STORY)
    [doc] = read_documents([path])
    assert doc.text == STORY
    assert doc.id == content_id(STORY)
    assert doc.meta == {"path": str(path), "title": HEADLINE}


def test_txt_drops_bom_and_crlf_only(tmp_path: Path) -> None:
    raw = "\ufeff  " + HEADLINE + "\r\n\r\nFirst line.\rStill  first\u00a0line.\r\n"
    path = write(tmp_path / "crlf.txt", raw.encode("utf-8"))
    [doc] = read_documents([path])
    assert doc.text == "  " + HEADLINE + "\n\nFirst line.\rStill  first\u00a0line.\n"
    assert doc.meta["title"] == HEADLINE


def test_txt_gz(tmp_path: Path) -> None:
    path = write(tmp_path / "story.txt.gz", gzip.compress(STORY.encode("utf-8")))
    [doc] = read_documents([path])
    assert doc.text == STORY


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\r\t"),
               min_size=1).filter(lambda t: t.strip()))
def test_txt_round_trip_property(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "prop.txt", text)
    [doc] = read_documents([path])
    assert doc.text == text.removeprefix("\ufeff").replace("\r\n", "\n")


# --------------------------------------------------------------------------- HTML


def test_html_page_keeps_article_and_drops_boilerplate(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", WORDPRESS_PAGE)
    [doc] = read_documents([path])
    assert doc.text == HEADLINE + "\n\n" + "\n\n".join(PARAGRAPHS)
    for junk in BOILERPLATE:
        assert junk not in doc.text
    assert doc.meta["title"] == HEADLINE
    assert doc.meta["path"] == str(path)
    assert doc.meta["date"] == "2024-04-02"


def test_html_to_text_does_not_repeat_a_headline_already_in_the_text() -> None:
    page = (f"<html><head><title>{HEADLINE}</title></head><body><article><h2>{HEADLINE}</h2>"
            + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article></body></html>")
    text, meta = html_to_text(page)
    assert text.count(HEADLINE) == 1
    assert text.startswith(HEADLINE + "\n\n")
    assert meta["title"] == HEADLINE


def test_html_to_text_keeps_line_breaks_inside_paragraphs() -> None:
    page = ("<html><body><article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
            + "<p>Alder Crossings<br>Harbour Road<br>Port Alder</p></article></body></html>")
    text, _ = html_to_text(page)
    assert "\n\nAlder Crossings\nHarbour Road\nPort Alder" in text


def test_broken_html_falls_back_to_tag_stripping(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.html", "<html><body><p>Unclosed <div>text")
    [doc] = read_documents([path])
    assert "Unclosed" in doc.text
    assert "<" not in doc.text


def test_tag_stripping_fallback_separates_blocks_and_skips_scripts() -> None:
    # trafilatura skips tables (include_tables=False), so a page whose text is all in one finds nothing
    page = ("<html><head><title>Ferry vote</title><script>var x = 1;</script></head><body><table>"
            "<tr><td>Short one.</td><td>Short&nbsp;two.</td></tr></table><form>Leave a Reply</form></body>")
    text, meta = html_to_text(page)
    assert text == "Ferry vote\n\nShort one.\n\nShort\u00a0two."
    assert meta == {"title": "Ferry vote"}


def test_html_without_text_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "blank.html", "<html><head><script>var a;</script></head><body> </body></html>")
    error = read_one(path)
    assert error.source == str(path)
    assert error.reason == "no text found in HTML"


@pytest.mark.parametrize(("text", "expected"), [
    ("<!DOCTYPE html><p>hi</p>", True),
    ("  \n<html lang='en'><body>hi</body></html>", True),
    ("<div><p>One</p><p>Two</p><p>Three</p></div>", True),
    ("A story about how <html> pages are written, and what <b> means.", False),
    (STORY, False),
])
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


# --------------------------------------------------------------------------- collections


def test_jsonl_records_with_meta_and_ids(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 7, "text": STORY, "title": HEADLINE, "tags": ["local", "transport"]}),
        "",
        json.dumps({"text": PARAGRAPHS[1], "site": "coastline"}),
        json.dumps({"id": "page-1", "html": WORDPRESS_PAGE, "site": "copier"}),
    ]
    path = write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")
    docs = list(read_documents([path]))
    assert [d.id for d in docs] == ["7", content_id(PARAGRAPHS[1]), "page-1"]
    assert docs[0].text == STORY
    assert docs[0].meta == {"title": HEADLINE, "tags": ["local", "transport"]}
    assert docs[1].meta == {"site": "coastline"}
    assert docs[2].text.startswith(HEADLINE + "\n\n" + PARAGRAPHS[0])
    assert "Leave a Reply" not in docs[2].text
    assert docs[2].meta["site"] == "copier"  # the record's own field wins over the page's


def test_jsonl_gz_and_custom_fields(tmp_path: Path) -> None:
    records = [{"doc": "a1", "body": "Text one.\r\nLine two.", "id": "ignored"},
               {"doc": "a2", "body": "Two."}]
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
    path = write(tmp_path / "c.jsonl.gz", gzip.compress(data))
    docs = list(read_documents([path], id_field="doc", text_field="body"))
    assert [(d.id, d.text) for d in docs] == [("a1", "Text one.\nLine two."), ("a2", "Two.")]
    assert docs[0].meta == {"id": "ignored"}


def test_json_list_and_single_object(tmp_path: Path) -> None:
    records = [{"id": "x", "text": "One."}, {"id": "y", "text": "Two."}]
    many = write(tmp_path / "many.json", json.dumps(records))
    one = write(tmp_path / "one.json", json.dumps({"id": "z", "text": "Three.", "date": "2024-04-02"}))
    docs = list(read_documents([many, one]))
    assert [(d.id, d.text) for d in docs] == [("x", "One."), ("y", "Two."), ("z", "Three.")]
    assert docs[2].meta == {"date": "2024-04-02"}


def test_csv_with_quoted_newlines_and_a_long_field(tmp_path: Path) -> None:
    long_text = "Ferry. " * 30_000  # over the csv module's default 131072-character field limit
    content = ("\ufeffid,text,section\r\n"
               f'1,"{STORY.replace(chr(34), chr(34) * 2)}",local\r\n'
               f"2,{long_text},local\r\n"
               ',"Headline, with a comma",\r\n')
    path = write(tmp_path / "c.csv", content)
    docs = list(read_documents([path]))
    assert [d.id for d in docs] == ["1", "2", content_id("Headline, with a comma")]
    assert docs[0].text == STORY
    assert docs[1].text == long_text
    assert docs[0].meta == {"section": "local"}


def test_parquet_in_batches_with_json_safe_meta(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    n = 600  # more than one record batch
    table = pa.table({"id": [f"p{i}" for i in range(n)], "text": [f"Story number {i}." for i in range(n)],
                      "published": [date(2024, 4, 2)] * n})
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    docs = list(read_documents([path]))
    assert len(docs) == n
    assert (docs[599].id, docs[599].text) == ("p599", "Story number 599.")
    assert docs[0].meta == {"published": "2024-04-02"}


def test_collection_file_may_exceed_max_bytes_but_a_record_may_not(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"r{i}", "text": "Short text."}) for i in range(20)]
    lines.append(json.dumps({"id": "big", "text": "x" * 500}))
    path = write(tmp_path / "c.jsonl", "\n".join(lines))
    errors: list[InputError] = []
    docs = list(read_documents([path], max_bytes=200, errors=errors))
    assert len(docs) == 20
    assert [e.source for e in errors] == [f"{path}:21"]
    assert errors[0].reason == "500 bytes is over the 200 bytes limit per document; raise --max-bytes"


# --------------------------------------------------------------------------- bad records and fields


def test_bad_jsonl_records_raise_with_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", '{"text": "Good."}\n{"text": "unterminated\n')
    error = read_one(path)
    assert error.source == f"{path}:2"
    assert error.reason.startswith("invalid JSON")


def test_batch_mode_skips_bad_records_and_files(tmp_path: Path) -> None:
    collection = write(tmp_path / "c.jsonl", b"\n".join([
        b'{"id": "a", "text": "First good story."}',
        b"not json at all",
        b'["a", "list"]',
        b'{"id": "b", "text": "   "}',
        b'{"id": "c", "text": 12}',
        b'{"id": "d", "text": "Caf\xe9 in latin-1."}',
        b'{"id": "e", "other": "no text here"}',
        b'{"id": "f", "text": "Second good story."}',
    ]))
    good = write(tmp_path / "good.txt", STORY)
    empty = write(tmp_path / "empty.txt", b"")
    errors: list[InputError] = []
    docs = list(read_documents([collection, empty, tmp_path / "missing.txt", good], errors=errors))
    assert [d.id for d in docs] == ["a", "f", content_id(STORY)]
    reasons = {e.source: e.reason for e in errors}
    assert reasons[f"{collection}:2"].startswith("invalid JSON")
    assert reasons[f"{collection}:3"] == "not a JSON object (got a list)"
    assert reasons[f"{collection}:4"] == "empty text"
    assert reasons[f"{collection}:5"] == "field 'text' is a number, not a string"
    offset = collection.read_bytes().index(b"\xe9")
    assert reasons[f"{collection}:6"] == (f"not valid UTF-8 (byte 0xe9 at offset {offset}); "
                                          "pass --encoding to read it as another encoding")
    assert reasons[f"{collection}:7"] == "no field 'text'"
    assert reasons[str(empty)] == "empty file"
    assert reasons[str(tmp_path / "missing.txt")] == "no such file"
    assert len(errors) == 8


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".json", ".parquet"])
def test_unknown_text_field_stops_even_in_batch_mode(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"c{suffix}"
    if suffix == ".csv":
        write(path, "id,body,section\n1,Some text.,local\n")
    elif suffix == ".parquet":
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        pq.write_table(pa.table({"id": ["1"], "body": ["Some text."], "section": ["local"]}), path)
    else:
        record = json.dumps({"id": "1", "body": "Some text.", "section": "local"})
        write(path, record if suffix == ".jsonl" else f"[{record}]")
    errors: list[InputError] = []
    with pytest.raises(InputError) as caught:
        list(read_documents([path], text_field="content", errors=errors))
    assert caught.value.source == str(path)
    assert caught.value.reason == ("no field 'content' (fields: 'id', 'body', 'section'); "
                                   "choose one with --text-field")
    assert errors == []


def test_unknown_encoding_is_refused_at_call_time() -> None:
    with pytest.raises(InputError, match="unknown encoding 'no-such-codec'"):
        read_documents(["anything.txt"], encoding="no-such-codec")


# --------------------------------------------------------------------------- bad files


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    assert read_one(write(tmp_path / "a.txt", "")).reason == "empty file"
    assert read_one(write(tmp_path / "b.txt", " \n\t\n")).reason == "no text (only whitespace)"
    assert read_one(write(tmp_path / "c.jsonl", "")).reason == "empty file"
    assert read_one(write(tmp_path / "d.jsonl", "\n\n")).reason == "no records found"


def test_binary_files_are_refused(tmp_path: Path) -> None:
    png_like = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert read_one(write(tmp_path / "a.txt", png_like)).reason == "looks binary, not text"
    controls = b"\x01\x02\x03\x04\x05\x06abc" * 100  # no NUL, but mostly control bytes
    assert read_one(write(tmp_path / "b.txt", controls)).reason == "looks binary, not text"
    assert read_one(write(tmp_path / "c.jsonl", png_like)).reason == "looks binary, not text"


def test_latin1_read_as_utf8_then_with_the_right_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.txt", "Le café du port ferme à 18h.".encode("latin-1"))
    error = read_one(path)
    assert str(error) == (f"{path}: not valid UTF-8 (byte 0xe9 at offset 6); "
                          "pass --encoding to read it as another encoding")
    assert "\n" not in str(error)
    [doc] = read_documents([path], encoding="latin-1")
    assert doc.text == "Le café du port ferme à 18h."


def test_oversize_documents(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "Ferry news. " * 20)
    assert read_one(path, max_bytes=100).reason == "240 bytes is over the 100 bytes limit per document; " \
                                                   "raise --max-bytes"
    gz = write(tmp_path / "big.txt.gz", gzip.compress(("Ferry news. " * 20).encode()))
    assert read_one(gz, max_bytes=100).reason.startswith("over the 100 bytes limit per document")
    [doc] = read_documents([path], max_bytes=240)
    assert len(doc.text) == 240


def test_unsupported_extension_given_explicitly(tmp_path: Path) -> None:
    path = write(tmp_path / "notes.md", "# Notes")
    assert read_one(path).reason.startswith("unsupported file type '.md'")


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl.gz", b"this is not gzip data")
    assert read_one(path).reason == "not a valid gzip file"


# --------------------------------------------------------------------------- directories


def test_directory_walk_is_sorted_and_skips_hidden_and_unknown_files(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "Story B.")
    write(tmp_path / "a.txt", "Story A.")
    write(tmp_path / "sub" / "c.jsonl", json.dumps({"id": "c", "text": "Story C."}))
    write(tmp_path / "sub" / "deeper" / "d.html", WORDPRESS_PAGE)
    write(tmp_path / ".hidden.txt", "Hidden story.")
    write(tmp_path / ".git" / "e.txt", "Hidden directory story.")
    write(tmp_path / "image.png", b"\x89PNG\x00\x00")
    write(tmp_path / "README.md", "Not a story.")
    docs = list(read_documents([tmp_path]))
    assert [d.text.split("\n")[0] for d in docs] == ["Story A.", "Story B.", "Story C.", HEADLINE]


def test_directory_without_supported_files(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", "Nothing to read.")
    write(tmp_path / ".hidden.txt", "Hidden.")
    error = read_one(tmp_path)
    assert error.source == str(tmp_path)
    assert error.reason == "no .txt/.html/.jsonl/.csv/.parquet files found"


# --------------------------------------------------------------------------- suspects


def test_read_suspect_text_file(tmp_path: Path) -> None:
    path = write(tmp_path / "copy-17.txt", STORY)
    doc = read_suspect(str(path))
    assert (doc.id, doc.text) == ("copy-17", STORY)
    assert doc.meta == {"title": HEADLINE, "path": str(path)}


def test_read_suspect_sniffs_html_without_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "scraped.gz", gzip.compress(WORDPRESS_PAGE.encode()))
    doc = read_suspect(str(path))
    assert doc.id == "scraped"
    assert doc.text == HEADLINE + "\n\n" + "\n\n".join(PARAGRAPHS)


def test_read_suspect_txt_with_tags_is_text_unless_asked(tmp_path: Path) -> None:
    path = write(tmp_path / "scraped.txt.gz", gzip.compress(WORDPRESS_PAGE.encode()))
    assert read_suspect(str(path)).text == WORDPRESS_PAGE
    asked = read_suspect(str(path), input_format="html")
    assert asked.text == HEADLINE + "\n\n" + "\n\n".join(PARAGRAPHS)
    page = write(tmp_path / "page.html", WORDPRESS_PAGE)
    assert read_suspect(str(page), input_format="text").text == WORDPRESS_PAGE


def test_read_suspect_from_stdin_text_and_bytes() -> None:
    doc = read_suspect("-", stdin=io.StringIO(STORY))
    assert (doc.id, doc.text, doc.meta["path"]) == (content_id(STORY), STORY, "<stdin>")
    as_bytes = io.TextIOWrapper(io.BytesIO("Café on the quay.\r\n".encode("latin-1")), encoding="latin-1")
    with pytest.raises(InputError, match=r"^<stdin>: not valid UTF-8 \(byte 0xe9 at offset 3\)"):
        read_suspect("-", stdin=as_bytes)
    as_bytes.buffer.seek(0)
    assert read_suspect("-", stdin=as_bytes, encoding="latin-1").text == "Café on the quay.\n"
    html = read_suspect("-", stdin=io.StringIO(WORDPRESS_PAGE))
    assert html.text.startswith(HEADLINE + "\n\n")
    assert "Leave a Reply" not in html.text


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n ", "no text (only whitespace)"),
    ("junk.bin", b"\x00\x01\x02" * 50, "looks binary, not text"),
    ("many.jsonl", b'{"text": "x"}',
     "a .jsonl file holds many documents; read it as a collection (batch mode)"),
])
def test_read_suspect_bad_inputs(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(InputError) as caught:
        read_suspect(str(path))
    assert (caught.value.source, caught.value.reason) == (str(path), reason)


def test_read_suspect_missing_large_and_empty_stdin(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no such file$"):
        read_suspect(str(tmp_path / "gone.txt"))
    with pytest.raises(InputError, match="over the 10 bytes limit"):
        read_suspect(str(write(tmp_path / "big.txt", "Eleven char")), max_bytes=10)
    with pytest.raises(InputError, match=r"^<stdin>: empty input$"):
        read_suspect("-", stdin=io.StringIO(""))


# --------------------------------------------------------------------------- hostile records (issue 12)


HOSTILE_RECORDS = [
    ('{"id": "a", "text": "Story.", "n": ' + "7" * 5000 + "}", "invalid JSON: Exceeds the limit"),
    ("[" * 100_000 + "]" * 100_000, "nested deeper than 100 levels"),
    ('{"id": "c", "text": "Story with a lone \\ud800 surrogate."}', "lone surrogate"),
    ('{"id": "d", "text": "Story.", "m": ' + '{"k": ' * 150 + "1" + "}" * 150 + "}",
     "nested deeper than 100 levels"),
]


def test_hostile_jsonl_records_are_skipped_counted_and_named(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "good", "text": STORY}), *(line for line, _ in HOSTILE_RECORDS)]
    path = write(tmp_path / "hostile.jsonl", "\n".join(lines) + "\n")
    errors: list[InputError] = []
    docs = list(read_documents([path], errors=errors))
    assert [d.id for d in docs] == ["good"]
    assert [e.source for e in errors] == [f"{path}:{n}" for n in range(2, 2 + len(HOSTILE_RECORDS))]
    for error, (_, reason) in zip(errors, HOSTILE_RECORDS, strict=True):
        assert reason in error.reason and "\n" not in str(error)


def test_non_finite_numbers_in_metadata_become_null(tmp_path: Path) -> None:
    path = write(tmp_path / "nan.jsonl", '{"id": "a", "text": "Story.", "score": NaN, "hi": Infinity, '
                                          '"lo": -Infinity, "big": 1e999, "ok": 0.5, "list": [NaN, 1]}\n')
    [doc] = read_documents([path])
    assert doc.meta == {"score": None, "hi": None, "lo": None, "big": None, "ok": 0.5, "list": [None, 1]}


def test_non_finite_numbers_in_parquet_become_null(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "nan.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": ["Story."], "score": [float("nan")]}), path)
    [doc] = read_documents([path])
    assert doc.meta == {"score": None}


def test_a_huge_line_is_read_in_bounded_pieces_and_skipped(tmp_path: Path) -> None:
    # One 4 MB line inside a gzip of a few KB: over 4 x max_bytes, so it is dropped unread.
    line = '{"id": "big", "text": "' + "x" * 4_000_000 + '"}\n'
    good = json.dumps({"id": "ok", "text": STORY}) + "\n"
    path = write(tmp_path / "bomb.jsonl.gz", gzip.compress((line + good).encode()))
    errors: list[InputError] = []
    docs = list(read_documents([path], max_bytes=100_000, errors=errors))
    assert [d.id for d in docs] == ["ok"]
    assert [e.source for e in errors] == [f"{path}:1"] and "over the" in errors[0].reason


def test_csv_with_a_quote_never_closed_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "open.csv", 'id,text\nz,Fine story.\na,"Open story.\nb,Second.\nc,Third.\n')
    errors: list[InputError] = []
    assert [d.id for d in read_documents([path], errors=errors)] == ["z"]
    assert [e.source for e in errors] == [f"{path}:3"]  # the line where the quote opens
    assert "never closed" in errors[0].reason


def test_csv_row_with_text_after_its_closing_quote_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", 'id,text\na,"Bad"quote\nb,Fine story.\n')
    errors: list[InputError] = []
    assert [d.id for d in read_documents([path], errors=errors)] == ["b"]
    assert [e.source for e in errors] == [f"{path}:2"] and "malformed CSV" in errors[0].reason


def test_one_stray_nul_byte_is_still_text(tmp_path: Path) -> None:
    path = write(tmp_path / "stray.txt", STORY.replace("Sunday", "Sun\x00day").encode())
    [doc] = read_documents([path])
    assert "Sun\x00day" in doc.text
    dense = write(tmp_path / "dense.txt", ("word\x00" * 40).encode())  # many NULs: binary
    assert read_one(dense).reason == "looks binary, not text"


def test_duplicate_ids_warn_that_the_last_wins(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path / "dup.jsonl", "".join(json.dumps({"id": i, "text": f"Story {n}."}) + "\n"
                                                 for n, i in enumerate(["a", "b", "a", "a"])))
    with caplog.at_level("WARNING", logger="unspin.inputs.extract"):
        docs = list(read_documents([path]))
    assert [d.id for d in docs] == ["a", "b", "a", "a"]  # all passed on: the index keeps the last
    messages = [r.getMessage() for r in caplog.records]
    assert sum("duplicate id 'a'" in m for m in messages) == 2
    assert any(m.startswith("2 duplicate ids in the input") and "last" in m for m in messages)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.timeout(60)  # before the fix, opening the pipe blocked forever
def test_named_pipes_are_skipped_in_batch_and_refused_as_suspects(tmp_path: Path) -> None:
    write(tmp_path / "docs" / "a.txt", STORY)
    os.mkfifo(tmp_path / "docs" / "b.txt")
    errors: list[InputError] = []
    docs = list(read_documents([tmp_path / "docs"], errors=errors))
    assert len(docs) == 1
    assert [(e.source, e.reason) for e in errors] == [
        (str(tmp_path / "docs" / "b.txt"), "not a regular file (a named pipe); use - to read standard input")]
    with pytest.raises(InputError, match="not a regular file"):
        read_suspect(tmp_path / "docs" / "b.txt")


@pytest.mark.parametrize("value", [0, -5, 1.5, True])
def test_max_bytes_out_of_range_is_an_option_error(tmp_path: Path, value: object) -> None:
    with pytest.raises(OptionError, match="max_bytes: must be a whole number"):
        read_documents([tmp_path], max_bytes=value)  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="max_bytes"):
        read_suspect("-", stdin=io.StringIO(STORY), max_bytes=value)  # type: ignore[arg-type]


def test_a_json_file_is_read_whole_only_up_to_a_cap(tmp_path: Path) -> None:
    records = json.dumps([{"id": str(n), "text": "A short story."} for n in range(5000)])
    path = write(tmp_path / "many.json.gz", gzip.compress(records.encode()))
    assert len(list(read_documents([path], max_bytes=10_000))) == 5000  # 100 x 10 KB: fits
    error = read_one(path, max_bytes=1_000)
    assert error.source == str(path) and "write large collections as .jsonl" in error.reason
