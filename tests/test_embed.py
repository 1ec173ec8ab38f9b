"""Tests of unspin.embed.encoder: the embedding cache (with a fake model) and the real MiniLM model."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from unspin.embed.encoder import CachedEmbedder, MiniLMEmbedder

DIM = 8


class FakeEmbedder:
    """Deterministic unit vectors from a hash of the sentence; records every call."""

    def __init__(self, name: str = "fake-8") -> None:
        self.name = name
        self.calls: list[list[str]] = []

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        self.calls.append(list(sentences))
        return np.stack([vector(s) for s in sentences]) if sentences else np.zeros((0, DIM), np.float32)


def vector(sentence: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(sentence.encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


SENTENCES = [
    "The wooden ferry pier in Harrowgate will close next month.",
    "Repairs would have cost 2.4 million euros.",
    "Ferry passengers will board from a temporary pontoon.",
]


def _expected(sentences: Sequence[str]) -> np.ndarray:
    return np.stack([vector(s) for s in sentences])


def test_memory_cache_avoids_second_call() -> None:
    inner = FakeEmbedder()
    emb = CachedEmbedder(inner)
    assert emb.name == "fake-8"
    first = emb.encode(SENTENCES)
    assert first.dtype == np.float32
    assert np.array_equal(first, _expected(SENTENCES))
    assert inner.calls == [SENTENCES]
    again = emb.encode(list(reversed(SENTENCES)))
    assert np.array_equal(again, _expected(list(reversed(SENTENCES))))
    assert len(inner.calls) == 1  # all from the cache


def test_only_missing_sentences_reach_the_model() -> None:
    inner = FakeEmbedder()
    emb = CachedEmbedder(inner)
    emb.encode(SENTENCES[:2])
    new = "A public meeting is planned for 14 March."
    batch = [SENTENCES[1], new, SENTENCES[0], new]
    out = emb.encode(batch)
    assert inner.calls[1] == [new]  # once, though it appears twice
    assert np.array_equal(out, _expected(batch))


def test_duplicates_in_one_call_are_encoded_once() -> None:
    inner = FakeEmbedder()
    out = CachedEmbedder(inner).encode([SENTENCES[0], SENTENCES[1], SENTENCES[0]])
    assert inner.calls == [[SENTENCES[0], SENTENCES[1]]]
    assert np.array_equal(out[0], out[2])


def test_persistent_cache_survives_a_new_embedder(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    first = CachedEmbedder(FakeEmbedder(), path=path)
    expected = first.encode(SENTENCES)
    first.close()
    assert path.is_file()

    inner = FakeEmbedder()
    second = CachedEmbedder(inner, path=path)
    out = second.encode([*SENTENCES, "Forecasters expect calmer weather from Thursday."])
    assert np.array_equal(out[:3], expected)
    assert inner.calls == [["Forecasters expect calmer weather from Thursday."]]
    second.close()


def test_a_damaged_cache_row_is_computed_again_not_a_crash(tmp_path: Path) -> None:
    # Regression: the cache commits without flushing, so a power cut can leave a row cut short; its
    # vector of the wrong length broke np.stack with a traceback instead of being recomputed.
    path = tmp_path / "embeddings.sqlite"
    first = CachedEmbedder(FakeEmbedder(), path=path)
    expected = first.encode(SENTENCES)
    first.close()
    with sqlite3.connect(path) as db:
        (key,) = db.execute("SELECT key FROM emb LIMIT 1").fetchone()
        db.execute("UPDATE emb SET vec = ? WHERE key = ?", (b"\x00" * 6, key))
    for fresh in (True, False):  # a new process (size unknown yet) and one that has embedded already
        inner = FakeEmbedder()
        again = CachedEmbedder(inner, path=path)
        if not fresh:
            again.encode(["Forecasters expect calmer weather from Thursday."])
        assert np.array_equal(again.encode(SENTENCES), expected)
        assert [len(call) for call in inner.calls[-1:]] == [1]  # only the damaged row recomputed
        again.close()
        with sqlite3.connect(path) as db:  # the first pass wrote it back whole; damage it again
            db.execute("UPDATE emb SET vec = ? WHERE key = ?", (b"\x00" * (4 * DIM + 2), key))


def test_persistent_cache_commits_without_flushing_yet_survives_a_killed_process(tmp_path: Path) -> None:
    # The cache commits without fsync (a benchmark's 288 traces waited ~5 s on the disk); a process
    # killed right after a write must still leave vectors that the next process reads.
    path = tmp_path / "embeddings.sqlite"
    writer = textwrap.dedent(f"""
        import os, sys
        import numpy as np
        from unspin.embed.encoder import CachedEmbedder

        class Ones:
            name = "fake-8"
            def encode(self, sentences):
                return np.ones((len(sentences), {DIM}), dtype=np.float32) / np.sqrt({DIM})

        emb = CachedEmbedder(Ones(), path=sys.argv[1])
        assert emb._db.execute("PRAGMA synchronous").fetchone()[0] == 0
        emb.encode({SENTENCES!r})
        os._exit(0)  # no close, no cleanup: as if killed
    """)
    subprocess.run([sys.executable, "-c", writer, str(path)], check=True)
    inner = FakeEmbedder()
    out = CachedEmbedder(inner, path=path).encode(SENTENCES)
    assert inner.calls == []
    assert np.allclose(out, 1 / np.sqrt(DIM))


def test_persistent_cache_is_keyed_by_model(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    CachedEmbedder(FakeEmbedder("model-a"), path=path).encode(SENTENCES)
    other = FakeEmbedder("model-b")
    CachedEmbedder(other, path=path).encode(SENTENCES)
    assert other.calls == [SENTENCES]  # another model's vectors are never reused


@pytest.mark.parametrize("where", ["missing-dir", "directory", "junk-file"])
def test_unusable_cache_path_falls_back_to_memory(tmp_path: Path, where: str) -> None:
    if where == "missing-dir":
        path = tmp_path / "no" / "such" / "dir" / "embeddings.sqlite"
    elif where == "directory":
        path = tmp_path / "a-directory"
        path.mkdir()
    else:
        path = tmp_path / "embeddings.sqlite"
        path.write_bytes(b"this is not a database" * 100)
    inner = FakeEmbedder()
    emb = CachedEmbedder(inner, path=path)
    assert np.array_equal(emb.encode(SENTENCES), _expected(SENTENCES))
    assert np.array_equal(emb.encode(SENTENCES), _expected(SENTENCES))
    assert len(inner.calls) == 1  # the memory cache still works
    emb.close()
    if where == "junk-file":
        assert path.read_bytes() == b"this is not a database" * 100


def test_memory_cache_is_bounded() -> None:
    inner = FakeEmbedder()
    emb = CachedEmbedder(inner, max_memory_items=4)
    emb.encode(SENTENCES)
    emb.encode(["Storm Delphine reached the coast.", "Waves battered the breakwater."])  # over the bound
    emb.encode(SENTENCES[:1])
    assert inner.calls[-1] == SENTENCES[:1]  # evicted, so computed again


def test_empty_input_keeps_the_inner_dimension() -> None:
    emb = CachedEmbedder(FakeEmbedder())
    emb.encode(SENTENCES)
    assert emb.encode([]).shape == (0, DIM)


def test_minilm_vectors_and_similarity() -> None:
    model = MiniLMEmbedder()
    assert model.encode([]).shape == (0, 384)
    sentences = [
        "The town council voted to close the old ferry pier because it is unsafe.",
        "Local councillors decided to shut the ageing ferry jetty over safety fears.",
        "A late frost destroyed half of the apple blossom in the valley orchards.",
    ]
    vectors = model.encode(sentences)
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    paraphrase = float(vectors[0] @ vectors[1])
    unrelated = float(vectors[0] @ vectors[2])
    assert paraphrase > unrelated + 0.3
    # Cached vectors equal the model's own.
    cached = CachedEmbedder(model)
    assert np.allclose(cached.encode(sentences[:1])[0], vectors[0], atol=1e-5)


def _rows(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM emb").fetchone()[0])
    finally:
        conn.close()


def test_persistent_cache_is_bounded_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    inner = FakeEmbedder()
    emb = CachedEmbedder(inner, path=path, max_items=10)
    first = [f"Notice {i} about the harbour works." for i in range(6)]
    emb.encode(first)
    emb.encode([f"Bulletin {i} about the tram line." for i in range(8)])
    assert _rows(path) <= 10
    emb.close()
    again = FakeEmbedder()
    CachedEmbedder(again, path=path, max_items=10).encode(first[:1])
    assert again.calls == [first[:1]]  # the oldest entry was the one dropped


def test_read_only_cache_is_read_not_written(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    CachedEmbedder(FakeEmbedder(), path=path).encode(SENTENCES)
    before = path.read_bytes()
    inner = FakeEmbedder()
    emb = CachedEmbedder(inner, path=path)
    emb._writable = False  # as os.access reports for a read-only disk (root would ignore chmod)
    new = "A public meeting is planned for 14 March."
    assert np.array_equal(emb.encode([*SENTENCES, new]), _expected([*SENTENCES, new]))
    assert inner.calls == [[new]]  # the stored vectors were read
    emb.close()
    assert path.read_bytes() == before


# Invented suspects: rewordings of STORY, which make the tracer embed (the lexical match is weak).
STORY = ("The Harrowgate council voted to close the wooden ferry pier after three failed inspections. "
         "Repairs would have cost 2.4 million pounds, the treasurer said. Ferry passengers will board "
         "from a temporary pontoon until a new pier opens in the summer.")
REWORDINGS = [
    "Councillors in Harrowgate have decided to shut the old timber ferry pier, which failed three checks. "
    "Fixing it would have cost 2.4 million pounds according to the treasurer. Travellers will use a "
    "temporary pontoon until the new pier is ready.",
    "Harrowgate's ferry pier, built of wood, will close after it failed three safety inspections. The "
    "treasurer put the price of repairs at 2.4 million pounds. A floating pontoon will serve ferry users "
    "for now.",
    "After three inspections found faults, Harrowgate will close its wooden pier for ferries. A repair "
    "bill of 2.4 million pounds was too high, said the treasurer. Boats will stop at a pontoon meanwhile.",
    "The wooden ferry pier at Harrowgate is to shut: it failed three inspections and mending it would cost "
    "2.4 million pounds, the council's treasurer said. Passengers will board from a pontoon for a while.",
]


def test_tracing_does_not_grow_the_index_without_bound(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # F19: every traced suspect's sentences went into embeddings.sqlite, which grew with every trace.
    from unspin.cli import main
    from unspin.embed import encoder as embed

    collection = tmp_path / "stories.jsonl"
    collection.write_text(json.dumps({"id": "pier", "text": STORY}) + "\n", encoding="utf-8")
    root = tmp_path / "ix"
    assert main(["index", str(collection), "--index", str(root), "--no-progress"], stdout=io.StringIO()) == 0
    monkeypatch.setattr(embed, "MAX_PERSISTENT_ITEMS", 6)
    sizes = []
    for i, text in enumerate(REWORDINGS):
        suspect = tmp_path / f"suspect{i}.txt"
        suspect.write_text(text, encoding="utf-8")
        out = io.StringIO()
        assert main(["trace", str(suspect), "--index", str(root), "--json"], stdout=out) == 0
        assert json.loads(out.getvalue())["candidates"] == 1
        sizes.append(_rows(root / "embeddings.sqlite"))
    assert sizes[0] > 0  # the traces did embed
    assert max(sizes) <= 6
