"""all-MiniLM-L6-v2's forward pass in torch, on packed tokens, in bfloat16 where the hardware has it.

The numpy encoder (:mod:`unspin.embed.minilm`) starts without importing torch, which a one-off trace
needs; a long run (a benchmark, a scan, the web app) embeds thousands of sentences and wants
throughput. This module computes the same forward pass with torch's kernels on the weights
:class:`~unspin.embed.minilm.MiniLM` already loaded, so importing torch (about 1 s) is all a switch
costs: sentence-transformers and transformers, which took 3-4 s more to import, are not needed.

Two choices make it faster than sentence-transformers on the same weights (docs/benchmarks.md,
"Embedding throughput"):

- **Packed tokens.** Every per-token step (the dense layers, layer norms, GELU) runs on the real
  tokens only; attention alone sees the batch padded, with the padding masked out of the keys.
  sentence-transformers pads each batch to its longest sentence for every step.
- **bfloat16 on CPUs that compute it natively** (Intel AMX or AVX512-BF16, and GPUs that support
  it): the matrix products and activations are kept in bfloat16, the layer norms and the pooling in
  float32. Vectors stay within 1e-4 cosine of the float32 ones (``tests/test_minilm_torch.py``),
  far below any line unspin draws on a similarity; elsewhere float32 is used, because emulated
  bfloat16 is slower than float32.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from unspin.embed.minilm import MiniLM

logger = logging.getLogger(__name__)

Precision = Literal["auto", "float32", "bfloat16"]


def native_bfloat16(device: str) -> bool:
    """Whether ``device`` computes bfloat16 products natively (so that they are faster than float32).

    Args:
        device: a torch device name, such as ``"cpu"`` or ``"cuda"``.

    Returns:
        True for a CPU with AMX tiles or AVX512-BF16 and for a GPU that supports bfloat16.
    """
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if device != "cpu":
        return False
    # torch.cpu exposes the CPU's capabilities only through these private helpers; a torch without
    # them gets float32, the safe choice.
    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


class TorchMiniLM:
    """The forward pass of a loaded :class:`~unspin.embed.minilm.MiniLM`, computed by torch.

    Args:
        model: the numpy model whose tokenizer and weights are used (the float32 weights are shared,
            not copied; bfloat16 keeps a converted copy of the dense weights, about 45 MB).
        device: torch device, ``"cpu"`` (default) or e.g. ``"cuda"``.
        precision: ``"auto"`` (default: bfloat16 where :func:`native_bfloat16`, else float32),
            ``"float32"`` or ``"bfloat16"``.

    Attributes:
        dtype_name: ``"float32"`` or ``"bfloat16"``, the precision actually used.
    """

    def __init__(self, model: MiniLM, *, device: str = "cpu", precision: Precision = "auto") -> None:
        import torch

        if precision not in ("auto", "float32", "bfloat16"):
            raise ValueError(f"precision must be auto, float32 or bfloat16, not {precision!r}")
        if precision == "auto":
            precision = "bfloat16" if native_bfloat16(device) else "float32"
        self.model = model
        self.device = device
        self.dtype_name = precision
        self.dtype = torch.bfloat16 if precision == "bfloat16" else torch.float32
        self.heads = model.heads
        self.dimension = model.dimension
        self.eps = model.eps
        self.weights: dict[str, Any] = {}
        for name, value in model.weights.items():
            tensor = torch.from_numpy(value).to(device)
            # Dense weights and the token embeddings feed bfloat16 products; biases of dense layers
            # are added inside them; layer norms stay in float32.
            if name.endswith("_t") or name.endswith("dense.bias") or name.endswith("qkv.bias"):
                tensor = tensor.to(self.dtype)
            self.weights[name] = tensor

    def encode(self, sentences: Sequence[str], *, batch_size: int = 64,
               threads: int | None = None) -> np.ndarray:
        """Embed sentences.

        Args:
            sentences: the texts, one vector each.
            batch_size: sentences per forward pass (sorted by length first).
            threads: torch's CPU threads during this call (restored after it), or None to leave
                torch's setting alone. On a busy machine torch's threads wait for each other
                spinning: at a load of 5 on 2 cores, two threads embedded 6 times slower than one
                (docs/benchmarks.md, "Embedding throughput").

        Returns:
            float32 array of shape (len(sentences), 384), rows of unit length.
        """
        import torch

        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        if not sentences:
            return out
        ids = [e.ids for e in self.model.tokenizer.encode_batch(list(sentences))]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        previous = torch.get_num_threads()
        if threads is not None and self.device == "cpu":
            torch.set_num_threads(threads)
        try:
            with torch.inference_mode():
                for start in range(0, len(order), batch_size):
                    chosen = order[start:start + batch_size]
                    out[chosen] = self._forward([ids[i] for i in chosen]).float().cpu().numpy()
        finally:
            if torch.get_num_threads() != previous:
                torch.set_num_threads(previous)
        return out

    def _forward(self, batch: list[list[int]]) -> Any:
        """Pooled, normalised vectors of one batch of token id lists (a float32 tensor)."""
        import torch
        import torch.nn.functional as F

        w, device = self.weights, self.device
        lengths = torch.tensor([len(t) for t in batch], device=device)
        size, width = len(batch), max(len(t) for t in batch)
        real = (torch.arange(width, device=device)[None, :] < lengths[:, None]).reshape(-1)
        flat_ids = torch.tensor([i for t in batch for i in t], device=device)
        positions = torch.cat([torch.arange(len(t), device=device) for t in batch])
        x = (w["embeddings.word_embeddings.weight"][flat_ids]
             + w["embeddings.position_embeddings.weight"][positions]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        keys = real.reshape(size, 1, 1, width)
        for layer in range(self.model.layers):
            x = self._layer(x, f"encoder.layer.{layer}.", real, size, width, keys)
        token_owner = torch.repeat_interleave(torch.arange(size, device=device), lengths)
        sums = torch.zeros(size, self.dimension, device=device).index_add_(0, token_owner, x.float())
        return F.normalize(sums / lengths[:, None], dim=1)

    def _layer(self, x: Any, p: str, real: Any, size: int, width: int, keys: Any) -> Any:
        import torch
        import torch.nn.functional as F

        heads, head_size = self.heads, self.dimension // self.heads
        qkv = torch.zeros(size * width, 3 * self.dimension, dtype=self.dtype, device=self.device)
        qkv[real] = self._dense(x, p + "attention.self.qkv")
        q, k, v = qkv.reshape(size, width, 3, heads, head_size).permute(2, 0, 3, 1, 4)
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=keys)
        context = context.permute(0, 2, 1, 3).reshape(size * width, self.dimension)[real]
        attended = self._dense(context, p + "attention.output.dense")
        x = self._norm(attended + x, p + "attention.output.LayerNorm")
        hidden = F.gelu(self._dense(x, p + "intermediate.dense"))  # exact (erf) GELU, as BERT's "gelu"
        return self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")

    def _dense(self, x: Any, name: str) -> Any:
        import torch

        return torch.addmm(self.weights[name + ".bias"], x, self.weights[name + ".weight_t"])

    def _norm(self, x: Any, name: str) -> Any:
        import torch.nn.functional as F

        normed = F.layer_norm(x.float(), (self.dimension,), self.weights[name + ".weight"],
                              self.weights[name + ".bias"], self.eps)
        return normed.to(self.dtype)
