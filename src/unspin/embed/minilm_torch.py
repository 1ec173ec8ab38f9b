"""all-MiniLM-L6-v2's forward pass in torch, on packed tokens, in float32 or (on request) bfloat16.

The numpy encoder (:mod:`unspin.embed.minilm`) starts without importing torch, which a one-off trace
needs; a long run (a benchmark, a scan, the web app) embeds thousands of sentences and wants
throughput. This module computes the same forward pass with torch's kernels on the weights
:class:`~unspin.embed.minilm.MiniLM` already loaded, so importing torch (about 1 s) is all a switch
costs: sentence-transformers and transformers, which took 3-4 s more to import, are not needed.

Two choices make it faster than sentence-transformers on the same weights (docs/benchmarks.md,
"Embedding throughput"):

- **Packed tokens.** Every per-token step (the dense layers, layer norms, GELU) runs on the real
  tokens, padded only to the next multiple of :data:`DENSE_ROWS` rows; attention alone sees
  sentences padded (to a multiple of 16 tokens). sentence-transformers pads each batch to its
  longest sentence for every step.
- **bfloat16**, for CPUs that compute it natively (Intel AMX or AVX512-BF16) and GPUs that support
  it: the matrix products and activations in bfloat16, pooling in float32. On the CPU, oneDNN's
  products run on weights packed once, with the GELU fused into the product that feeds it, and
  attention is torch's fused kernel in bfloat16; layer norms read bfloat16 and compute in float32.
  Three times the speed of float32 (docs/benchmarks.md, "Embedding throughput"); sentence
  similarities move by up to 2e-3, and the decision counts strong pairs gradually so that such a
  move does not change it (``"auto"``, the default of :class:`unspin.TraceOptions`, takes it
  where it is native). Elsewhere (a GPU, a CPU without oneDNN's bfloat16) attention and layer
  norms run in float32 with plain products.

A sentence's vector does not depend on the sentences batched with it, bit for bit: the products
run in fixed blocks of rows (or, where oneDNN splits no inner dimension, in any number) and
attention with fixed shapes per sentence, so a trace gives the same result whatever else its
process embedded before (tests/test_minilm_torch.py).
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
        bfloat16_cpu = self.dtype == torch.bfloat16 and device == "cpu"
        self.packed = _packed_weights(self.weights) if bfloat16_cpu else {}

    @property
    def fused(self) -> bool:
        """Whether GELU, attention and layer norms run fused in bfloat16: where the products are
        oneDNN's on packed weights."""
        return bool(self.packed)

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
        """Pooled, normalised vectors of one batch of token id lists (a float32 tensor).

        The batch's tokens are packed into rows padded to a multiple of :data:`DENSE_ROWS`, kept so
        through every layer: the products run on fixed blocks without padding each time. A padding
        row holds finite values that no real row reads.
        """
        import torch
        import torch.nn.functional as F

        w, device = self.weights, self.device
        lengths = [len(t) for t in batch]
        tokens = sum(lengths)
        rows = -(-tokens // DENSE_ROWS) * DENSE_ROWS
        padding = [0] * (rows - tokens)
        flat_ids = torch.tensor([i for t in batch for i in t] + padding, device=device)
        positions = torch.tensor([p for n in lengths for p in range(n)] + padding, device=device)
        x = (w["embeddings.word_embeddings.weight"][flat_ids]
             + w["embeddings.position_embeddings.weight"][positions]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        plan = _Plan(lengths, rows, device, pad_row=0 if self.fused else rows)
        for layer in range(self.model.layers):
            x = self._layer(x, f"encoder.layer.{layer}.", plan)
        counts = torch.tensor(lengths, device=device)
        token_owner = torch.repeat_interleave(torch.arange(len(batch), device=device), counts)
        sums = torch.zeros(len(batch), self.dimension, device=device).index_add_(0, token_owner,
                                                                                  x[:tokens].float())
        return F.normalize(sums / counts[:, None], dim=1)

    def _layer(self, x: Any, p: str, plan: _Plan) -> Any:
        import torch.nn.functional as F

        # float32 attention reads one row more than the tokens' rows, left at zero, for padding;
        # fused attention masks padded keys out, whatever their values.
        qkv = self._dense(x, p + "attention.self.qkv", zero_row=not self.fused)
        context = x.new_zeros(x.shape)
        for group in plan.groups:
            self._attend(qkv, group, context)
        attended = self._dense(context, p + "attention.output.dense")
        x = self._norm(attended + x, p + "attention.output.LayerNorm")
        if self.fused:
            hidden = self._dense(x, p + "intermediate.dense", gelu=True)
        else:
            hidden = F.gelu(self._dense(x, p + "intermediate.dense"))  # exact (erf) GELU, as BERT's "gelu"
        return self._norm(self._dense(hidden, p + "output.dense") + x, p + "output.LayerNorm")

    def _attend(self, qkv: Any, group: _AttentionGroup, context: Any) -> None:
        """Self-attention of one group's sentences, each padded to the group's width; written into
        the group's rows of ``context``.

        Attention sees a sentence with the same shapes whatever its neighbours (its group's width,
        a multiple of :data:`WIDTH_STEP`), so its vector does not depend on them. Fused (bfloat16 on
        the CPU): torch's fused kernel, padded keys masked out. Otherwise explicit products in
        float32, padding read from a zero row.
        """
        import torch

        heads, head_size = self.heads, self.dimension // self.heads
        if self.fused:
            import torch.nn.functional as F

            q, k, v = (qkv.index_select(0, group.gather)
                       .reshape(group.size, group.width, 3, heads, head_size).permute(2, 0, 3, 1, 4))
            attended = F.scaled_dot_product_attention(q, k, v, attn_mask=group.key_mask)
            flat = attended.permute(0, 2, 1, 3).reshape(group.size * group.width, self.dimension)
            context.index_copy_(0, group.rows, flat.index_select(0, group.real))
            return
        padded = qkv.index_select(0, group.gather).float()
        q, k, v = padded.reshape(group.size, group.width, 3, heads, head_size).permute(2, 0, 3, 1, 4)
        scores = torch.matmul(q, k.transpose(-1, -2)) * head_size ** -0.5 + group.key_bias
        attended = torch.matmul(torch.softmax(scores, dim=-1), v)
        flat = attended.permute(0, 2, 1, 3).reshape(group.size * group.width, self.dimension)
        context.index_copy_(0, group.rows, flat.index_select(0, group.real).to(context.dtype))

    def _dense(self, x: Any, name: str, *, zero_row: bool = False, gelu: bool = False) -> Any:
        """``x @ weight + bias`` of a layer.

        A row's result must not depend on the other rows multiplied with it. A product's kernel
        (how it splits the inner dimension) changes with the number of rows, and with it a row's
        result: in bfloat16 up to 0.25 apart for the same row (1e-7 in float32). Products of
        blocks of :data:`DENSE_ROWS` rows (``x``'s rows are a multiple of it) give every row the
        same kernel. oneDNN's product with weights packed for it (bfloat16 on the CPU) gives the
        same bits as ``addmm`` on such a block in one thread, in any number of threads, with less
        CPU.

        Args:
            zero_row: add one row of zeros after the result's rows (plain products only).
            gelu: apply the exact GELU to the result (packed products only: fused into the product).
        """
        import torch

        bias = self.weights[name + ".bias"]
        packed = self.packed.get(name)
        rows = x.shape[0]
        if packed is not None:
            post, algorithm = ("gelu", "none") if gelu else ("none", "")
            # With an inner dimension of 384 (one block for oneDNN) a row's result is the same
            # however many rows are multiplied; the 1,536-wide product needs the fixed blocks.
            # (Packed products go with fused attention, which needs no zero row.)
            parts = [x] if x.shape[1] == self.dimension else x.split(DENSE_ROWS)
            blocks = [torch.ops.mkldnn._linear_pointwise(part, packed, bias, post, [], algorithm)
                      for part in parts]
            return torch.cat(blocks) if len(blocks) > 1 else blocks[0]
        weight = self.weights[name + ".weight_t"]
        out = x.new_empty(rows + zero_row, weight.shape[1])
        if zero_row:
            out[rows:].zero_()
        for start in range(0, rows, DENSE_ROWS):
            torch.addmm(bias, x[start:start + DENSE_ROWS], weight, out=out[start:start + DENSE_ROWS])
        return out

    def _norm(self, x: Any, name: str) -> Any:
        import torch.nn.functional as F

        weight, bias = self.weights[name + ".weight"], self.weights[name + ".bias"]
        if self.fused and x.dtype == self.dtype:  # computed in float32 inside, without a float copy
            return F.layer_norm(x, (self.dimension,), weight, bias, self.eps)
        return F.layer_norm(x.float(), (self.dimension,), weight, bias, self.eps).to(self.dtype)


def _packed_weights(weights: dict[str, Any]) -> dict[str, Any]:
    """The dense layers' bfloat16 weights packed for oneDNN's product, by layer name; empty where
    this torch cannot (no oneDNN, a CPU it does not pack bfloat16 for, or a fused kernel missing):
    the plain products and float32 attention then.

    ``torch.ops.mkldnn`` is torch's own operator set for its oneDNN kernels (what torch.compile
    emits for a linear layer on the CPU); it has no public Python wrapper.
    """
    import torch

    names = [name[: -len(".weight_t")] for name in weights if name.endswith(".weight_t")]
    try:
        if not torch.backends.mkldnn.is_available():  # type: ignore[no-untyped-call]
            return {}
        packed = {name: torch.ops.mkldnn._reorder_linear_weight(weights[name + ".weight_t"].t().contiguous(),
                                                                 DENSE_ROWS) for name in names}
        first = names[0]
        probe = torch.zeros(2, weights[first + ".weight_t"].shape[0], dtype=torch.bfloat16)
        # Every kernel the fused forward pass uses, once: a torch without one runs the plain path.
        for post, algorithm in (("none", ""), ("gelu", "none")):
            torch.ops.mkldnn._linear_pointwise(probe, packed[first], weights[first + ".bias"], post, [],
                                               algorithm)
        heads = torch.zeros(1, 2, 16, 32, dtype=torch.bfloat16)
        mask = torch.ones(1, 1, 1, 16, dtype=torch.bool)
        torch.nn.functional.scaled_dot_product_attention(heads, heads, heads, attn_mask=mask)
    except (AttributeError, RuntimeError) as exc:
        logger.info("plain matrix products for MiniLM (%s)", exc)
        return {}
    return packed


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


class _Plan:
    """The attention groups of one batch (see :func:`_by_width`); padding reads row ``pad_row``."""

    def __init__(self, lengths: list[int], rows: int, device: str, *, pad_row: int) -> None:
        offsets = [0]
        for n in lengths:
            offsets.append(offsets[-1] + n)
        self.groups = [_AttentionGroup(run, lengths, offsets, pad_row, device) for run in _by_width(lengths)]


class _AttentionGroup:
    """Index tensors of one run of sentences attended together (see :func:`_by_width`).

    Attributes:
        size: sentences in the run; width: tokens each is padded to.
        gather: for each of the run's padded positions, its row in the packed tokens, or
            ``pad_row`` for padding.
        real: which padded positions hold a token (their indices).
        rows: the run's rows in the packed tokens, in the order of ``real``.
        key_bias: 0 for real keys, the lowest float for padding (shape size x 1 x 1 x width).
    """

    def __init__(self, run: tuple[int, int, int], lengths: list[int], offsets: list[int], pad_row: int,
                 device: str) -> None:
        import torch

        first, end, width = run
        self.size, self.width = end - first, width
        counts = torch.tensor(lengths[first:end], device=device)
        starts = torch.tensor(offsets[first:end], device=device)
        slot = torch.arange(width, device=device)[None, :]
        mask = slot < counts[:, None]
        self.gather = torch.where(mask, starts[:, None] + slot, pad_row).reshape(-1)
        self.real = torch.nonzero(mask.reshape(-1)).reshape(-1)
        self.rows = self.gather[self.real]
        low = torch.finfo(torch.float32).min
        self.key_bias = torch.where(mask, 0.0, low).reshape(self.size, 1, 1, width)
        self.key_mask = mask.reshape(self.size, 1, 1, width)
