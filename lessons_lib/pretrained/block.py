"""Inside a transformer block of the real model: how much each sublayer adds, and what padding does.

Used by lesson 11. The block itself is :class:`~.model.MiniLM`'s forward pass;
these functions measure it.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import plots
from .model import Batch, Forward, MiniLM, layer_norm


def sublayer_shares(model: MiniLM, forward: Forward) -> np.ndarray:
    """(layers, 2): per layer, the length of what attention and what the feed-forward add, over the stream's length.

    For each token, |attention output| / |x| (x = the layer's input) and
    |feed-forward output| / |h| (h = the stream after attention's add & norm),
    averaged over the tokens.
    """
    if forward.states is None:
        raise ValueError("forward must come from MiniLM.run or MiniLM.forward (it needs the stored residual stream)")
    shares = np.empty((model.layers, 2))
    for layer in range(model.layers):
        x = forward.states[layer]
        added, _ = model.attention_sublayer(x, layer)
        h = layer_norm(x + added, *model.norm_parameters(layer, "attention"), model.eps)
        fed = model.feed_forward_sublayer(h, layer)
        shares[layer] = [_ratio(added, x), _ratio(fed, h)]
    return shares


def _ratio(added: np.ndarray, stream: np.ndarray) -> float:
    return float((np.linalg.norm(added, axis=-1) / np.linalg.norm(stream, axis=-1)).mean())


def shares_plot(shares: np.ndarray) -> plots.Figure:
    """Grouped bars: per layer, what attention and the feed-forward network add, relative to the stream."""
    fig, ax = plots.new_axes(6.4, 3.2)
    layers = np.arange(len(shares))
    for k, (name, colour) in enumerate([("attention adds", plots.BLUE), ("feed-forward adds", plots.ORANGE)]):
        ax.bar(layers + (k - 0.5) * 0.38, shares[:, k], width=0.36, color=colour, label=name)
    ax.set_xticks(layers, [f"layer {k}" for k in layers])
    ax.set_ylabel("|added| / |stream|  (mean over tokens)")
    ax.set_title("What each sublayer adds to the residual stream")
    ax.legend(frameon=False, loc="upper left")
    ax.set_ylim(0, max(1.0, shares.max() * 1.25))
    return fig


def input_cosines(forward: Forward, layer: int) -> np.ndarray:
    """(n, n): row i, column j = cosine of token i's vector after ``layer`` layers with token j's input vector."""
    if forward.states is None:
        raise ValueError("forward must come from MiniLM.run or MiniLM.forward (it needs the stored residual stream)")
    if not isinstance(layer, (int, np.integer)) or not 0 <= layer < len(forward.states):
        raise ValueError(f"layer must be a whole number from 0 to {len(forward.states) - 1}, got {layer!r}")
    now, start = (s / np.linalg.norm(s, axis=-1, keepdims=True) for s in (forward.states[layer], forward.states[0]))
    return now @ start.T


def edit_effect(model: MiniLM, text: str, edited: str, word: str) -> np.ndarray:
    """(layers + 1,): how far ``word``'s vector moves, layer by layer, when ``text`` becomes ``edited``.

    Entry L is |v_edited - v_text| / |v_text| for the token ``word`` after L layers
    (L = 0: the embeddings). ``word`` must be unchanged by the edit, and both texts
    must have the same number of tokens, so the token sits at the same position.
    """
    runs = [model.run(t) for t in (text, edited)]
    if len(runs[0].tokens) != len(runs[1].tokens):
        raise ValueError(f"edited must have as many tokens as text ({len(runs[0].tokens)}), "
                         f"got {len(runs[1].tokens)}: replace one word by a one-token word")
    if word not in runs[0].tokens or word not in runs[1].tokens:
        raise ValueError(f"word must be a token of both texts, got {word!r}")
    k = runs[0].tokens.index(word)
    if runs[1].tokens[k] != word:
        raise ValueError(f"word must sit at the same position in both texts, got {word!r}")
    before, after = runs[0].states[:, k], runs[1].states[:, k]
    return np.linalg.norm(after - before, axis=-1) / np.linalg.norm(before, axis=-1)


def padding_effects(model: MiniLM, sentences: Sequence[str], *, batch: Batch | None = None,
                    alone: Sequence[Forward] | None = None) -> list[dict[str, float]]:
    """For each sentence: how far its batched results move from its one-at-a-time run, with and without each mask.

    Returns one dict per sentence: real tokens, pads, and the largest change of any
    coordinate of a real token's final vector / the cosine of the sentence embedding with the
    one-at-a-time one, for both masks, no key mask, and no pooling mask.
    ``batch`` (``run_batch(sentences)``) and ``alone`` (``run`` of each sentence) may be
    passed in when already computed.
    """
    if alone is not None and len(alone) != len(sentences):
        raise ValueError(f"alone must hold one run per sentence ({len(sentences)}), got {len(alone)}")
    runs = {"both masks": batch if batch is not None else model.run_batch(sentences),
            "no key mask": model.run_batch(sentences, mask_keys=False)}
    both = runs["both masks"]  # without the pooling mask: the same token vectors, pads pooled in
    runs["no pooling mask"] = Batch(both.tokens, both.ids, both.real, both.attentions, both.hidden,
                                    both.hidden.mean(axis=1))
    effects = []
    for k, text in enumerate(sentences):
        single = alone[k] if alone is not None else model.run(text)
        n = len(single.tokens)
        row: dict[str, float] = {"tokens": n, "pads": int((~runs["both masks"].real[k]).sum())}
        for name, result in runs.items():
            row[f"{name}: token change"] = float(np.abs(result.hidden[k, :n] - single.hidden).max())
            e = result.embedding[k]
            row[f"{name}: cosine"] = float(e @ single.embedding / np.linalg.norm(e) / np.linalg.norm(single.embedding))
        effects.append(row)
    return effects
