"""all-MiniLM-L6-v2's forward pass in torch, on packed tokens, in float32 or (on request) bfloat16.

The numpy encoder (:mod:`unspin.embed.minilm`) starts without importing torch, which a one-off trace
needs; a long run (a benchmark, a scan, the web app) embeds thousands of sentences and wants
throughput. This module computes the same forward pass with torch's kernels on the weights
:class:`~unspin.embed.minilm.MiniLM` already loaded, so importing torch (about 1 s) is all a switch
costs: sentence-transformers and transformers, which took 3-4 s more to import, are not needed.

Two choices make it faster than sentence-transformers on the same weights (docs/benchmarks.md,
"Embedding throughput"):

- **Packed tokens.** Every per-token step (the dense layers, layer norms, GELU) runs on the real
  tokens only; attention alone sees sentences padded (to a multiple of 16 tokens).
  sentence-transformers pads each batch to its longest sentence for every step.
- **bfloat16 on request**, for CPUs that compute it natively (Intel AMX or AVX512-BF16) and GPUs
  that support it: the matrix products and activations in bfloat16, layer norms, attention and
  pooling in float32. About twice as fast, but sentence similarities move by up to 2e-3, enough
  to cross a line of the decision; unspin's default is float32
  (:class:`unspin.embed.encoder.MiniLMEmbedder`).

A sentence's vector does not depend on the sentences batched with it, bit for bit: the products
run in fixed blocks of rows and attention with fixed shapes per sentence, so a trace gives the
same result whatever else its process embedded before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from unspin.embed.minilm import MiniLM
from unspin.options import EMBEDDING_PRECISIONS

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
        precision: ``"float32"`` (default), ``"bfloat16"`` or ``"auto"`` (bfloat16 where
            :func:`native_bfloat16`, else float32).

    Attributes:
        dtype_name: ``"float32"`` or ``"bfloat16"``, the precision actually used.
    """

    def __init__(self, model: MiniLM, *, device: str = "cpu", precision: Precision = "float32") -> None:
        import torch

        if precision not in EMBEDDING_PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(EMBEDDING_PRECISIONS)}, not {precision!r}")
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
            # The dense layers' weights and biases take the chosen precision (their products run
            # in it); the embedding tables and layer norms stay in float32.
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
        lengths = [len(t) for t in batch]
        flat_ids = torch.tensor([i for t in batch for i in t], device=device)
        positions = torch.cat([torch.arange(n, device=device) for n in lengths])
        x = (w["embeddings.word_embeddings.weight"][flat_ids]
             + w["embeddings.position_embeddings.weight"][positions]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        groups = [_AttentionGroup(run, lengths, device) for run in _by_width(lengths)]
        for layer in range(self.model.layers):
            x = self._layer(x, f"encoder.layer.{layer}.", groups)
        counts = torch.tensor(lengths, device=device)
        token_owner = torch.repeat_interleave(torch.arange(len(batch), device=device), counts)
        sums = torch.zeros(len(batch), self.dimension, device=device).index_add_(0, token_owner, x.float())
        return F.normalize(sums / counts[:, None], dim=1)

    def _layer(self, x: Any, p: str, groups: list[_AttentionGroup]) -> Any:
        import torch
        import torch.nn.functional as F

        qkv = self._dense(x, p + "attention.self.qkv")
        context = torch.cat([self._attend(qkv, group) for group in groups]).to(self.dtype)
        attended = self._dense(context, p + "attention.output.dense")
        x = self._norm(attended + x, p + "attention.output.LayerNorm")
        hidden = F.gelu(self._dense(x, p + "intermediate.dense"))  # exact (erf) GELU, as BERT's "gelu"
        return self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")

    def _attend(self, qkv: Any, group: _AttentionGroup) -> Any:
        """Self-attention of one group's sentences, in float32, each padded to the group's width.

        Explicit products rather than torch's fused attention: its kernels change with the batch's
        shape, and in bfloat16 that moved a sentence's vector by up to 1e-3 depending on which
        sentences shared its batch. Here a sentence's attention is computed with the same shapes
        whatever its neighbours, so its vector does not depend on them.
        """
        import torch

        heads, head_size = self.heads, self.dimension // self.heads
        padded = torch.zeros(group.size * group.width, 3 * self.dimension, device=self.device)
        padded[group.real] = qkv[group.rows].float()
        q, k, v = padded.reshape(group.size, group.width, 3, heads, head_size).permute(2, 0, 3, 1, 4)
        scores = torch.matmul(q, k.transpose(-1, -2)) * head_size ** -0.5 + group.key_bias
        context = torch.matmul(torch.softmax(scores, dim=-1), v)
        return context.permute(0, 2, 1, 3).reshape(group.size * group.width, self.dimension)[group.real]

    def _dense(self, x: Any, name: str) -> Any:
        import torch

        weight, bias = self.weights[name + ".weight_t"], self.weights[name + ".bias"]
        # The product's kernel (how it splits the inner dimension) changes with the number of rows,
        # and with it a row's result: in bfloat16 up to 0.25 apart for the same row (1e-7 in
        # float32). Fixed blocks of rows, the last padded with zeros, give every row the same kernel.
        rows = x.shape[0]
        padded = torch.cat([x, x.new_zeros(-rows % DENSE_ROWS, x.shape[1])]) if rows % DENSE_ROWS else x
        return torch.cat([torch.addmm(bias, block, weight) for block in padded.split(DENSE_ROWS)])[:rows]

    def _norm(self, x: Any, name: str) -> Any:
        import torch.nn.functional as F

        normed = F.layer_norm(x.float(), (self.dimension,), self.weights[name + ".weight"],
                              self.weights[name + ".bias"], self.eps)
        return normed.to(self.dtype)


#: Rows per matrix product (see :meth:`TorchMiniLM._dense`): a trace's call holds a few
#: hundred tokens (256 embedded fastest of 128, 256 and 512 in a trace-sized benchmark).
DENSE_ROWS = 256

#: Attention widths are multiples of this many tokens: a sentence is padded to the next one, so
#: that it is always attended with the same shapes (see :meth:`TorchMiniLM._attend`).
WIDTH_STEP = 16


def _by_width(lengths: list[int]) -> list[tuple[int, int, int]]:
    """Runs of consecutive sentences padded to one width: ``(first, end, width)`` each.

    ``lengths`` are sorted (the encoder sorts a call's sentences by length), so the runs are few.
    """
    runs: list[tuple[int, int, int]] = []
    for i, n in enumerate(lengths):
        width = -(-n // WIDTH_STEP) * WIDTH_STEP
        if runs and runs[-1][2] == width and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1, width)
        else:
            runs.append((i, i + 1, width))
    return runs


class _AttentionGroup:
    """Index tensors of one run of sentences attended together (see :func:`_by_width`).

    Attributes:
        size: sentences in the run; width: tokens each is padded to.
        rows: the run's rows in the batch's packed tokens.
        real: which of the run's padded positions hold a token.
        key_bias: 0 for real keys, the lowest float for padding (shape size x 1 x 1 x width).
    """

    def __init__(self, run: tuple[int, int, int], lengths: list[int], device: str) -> None:
        import torch

        first, end, width = run
        self.size, self.width = end - first, width
        counts = torch.tensor(lengths[first:end], device=device)
        offset = sum(lengths[:first])
        self.rows = torch.arange(offset, offset + int(counts.sum()), device=device)
        real = torch.arange(width, device=device)[None, :] < counts[:, None]
        self.real = real.reshape(-1)
        low = torch.finfo(torch.float32).min
        self.key_bias = torch.where(real, 0.0, low).reshape(self.size, 1, 1, width)
