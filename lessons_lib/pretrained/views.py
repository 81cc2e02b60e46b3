"""Live views of the real model for lessons 10-11: heads with and without positions, the residual stream.

Both build their widgets once and rewrite one HTML heatmap
(:class:`~lessons_lib.widgets.LiveHeatmap`) per change; the numbers stay in
plain attributes so tests can move a control and read the result.
"""
from __future__ import annotations

from typing import Sequence

import ipywidgets as widgets
import numpy as np

from ..positions import offset_scores
from ..widgets import SLIDER_LAYOUT, SLIDER_STYLE, LiveHeatmap, _Explorer
from .block import input_cosines
from .model import Forward, MiniLM


def _sentences(sentences: Sequence[str]) -> list[str]:
    if isinstance(sentences, str) or not sentences or not all(isinstance(s, str) for s in sentences):
        raise ValueError("sentences must be a non-empty list of strings")
    return list(sentences)


def numbered(tokens: Sequence[str]) -> list[str]:
    """Token labels with repeated tokens numbered by occurrence ("the", "the²"), so columns can be told apart."""
    seen: dict[str, int] = {}
    labels = []
    for token in tokens:
        seen[token] = seen.get(token, 0) + 1
        labels.append(token if seen[token] == 1 else f"{token}{'⁰¹²³⁴⁵⁶⁷⁸⁹'[seen[token]] if seen[token] < 10 else seen[token]}")
    return labels


class _SentenceRuns:
    """The model's runs on the sentence chosen in ``sentence_picker``, each computed once.

    A class using it calls :meth:`_start` first (and :meth:`_head_sliders` to pick a head).
    """

    def _start(self, model: MiniLM, sentences: Sequence[str]) -> None:
        """Keep ``model``, an empty cache of runs, and a picker of ``sentences`` (checked)."""
        self.model = model
        self._runs: dict[tuple[str, bool], Forward] = {}
        self.sentence_picker = widgets.Dropdown(options=_sentences(sentences), description="sentence",
                                                layout=widgets.Layout(width="560px"), style=SLIDER_STYLE)

    def _head_sliders(self, layer: int, head: int) -> None:
        """A layer slider and a head slider over the model's layers and heads."""
        self.layer_slider = widgets.IntSlider(value=layer, min=0, max=self.model.layers - 1, description="layer",
                                              layout=SLIDER_LAYOUT, style=SLIDER_STYLE)
        self.head_slider = widgets.IntSlider(value=head, min=0, max=self.model.heads - 1, description="head",
                                             layout=SLIDER_LAYOUT, style=SLIDER_STYLE)

    def run(self, positions: bool = True) -> Forward:
        """The model's run on the chosen sentence, with or without position vectors (cached)."""
        key = (self.sentence_picker.value, positions)
        if key not in self._runs:
            self._runs[key] = self.model.run(key[0], positions=positions)
        return self._runs[key]

    @property
    def forward(self) -> Forward:
        """The model's run on the chosen sentence, position vectors included."""
        return self.run()


class PositionsHeadExplorer(_SentenceRuns, _Explorer):
    """One head of the real model, with its position vectors switched on or off.

    Parameters
    ----------
    model : the loaded model
    sentences : the sentences offered in the drop-down
    layer, head : the head shown first

    Attributes
    ----------
    weights : (n, n) the chosen head's weights, as switched
    change : (layers, heads) mean |weight with positions - weight without| per head
    previous, following : the chosen head's mean weight on the token before / after
    """

    def __init__(self, model: MiniLM, sentences: Sequence[str], *, layer: int = 0, head: int = 0) -> None:
        self._start(model, sentences)
        self._head_sliders(layer, head)
        self.positions_toggle = widgets.ToggleButtons(options=["on", "off"], value="on", description="positions",
                                                      style=SLIDER_STYLE)
        self.view = LiveHeatmap(xlabel="attends to (key)", ylabel="token (query)")
        for control in (self.sentence_picker, self.layer_slider, self.head_slider, self.positions_toggle):
            control.observe(self._update, names="value")
        controls = widgets.VBox([self.sentence_picker, widgets.HBox([self.layer_slider, self.head_slider]),
                                 self.positions_toggle])
        self.widget = widgets.VBox([controls, self.view.text, self.view.table])
        self._update()

    @property
    def positions(self) -> bool:
        return self.positions_toggle.value == "on"

    def _update(self, _change=None) -> None:
        layer, head = int(self.layer_slider.value), int(self.head_slider.value)
        on, off = self.run(True), self.run(False)
        self.change = np.abs(on.attentions - off.attentions).mean(axis=(-1, -2))
        self.weights = (on if self.positions else off).head(layer, head)
        self.previous = float(offset_scores(self.weights, -1))
        self.following = float(offset_scores(self.weights, 1))
        most = np.argsort(self.change, axis=None)[::-1][:3]
        changed = ", ".join(f"L{i // self.model.heads} H{i % self.model.heads} ({self.change.flat[i]:.2f})"
                            for i in most)
        labels = numbered(on.tokens)
        state = "with" if self.positions else "without"
        self.view.labels.update(row_labels=labels, title=f"layer {layer}, head {head}, {state} position vectors")
        self.view.refresh(self.weights,
                          f"{state} positions: mean weight on the previous token {self.previous:.2f}, on the next "
                          f"{self.following:.2f}. Switching positions off changes this head's weights by "
                          f"{self.change[layer, head]:.2f} on average; most changed heads: {changed}.")


class ResidualStreamViewer(_SentenceRuns, _Explorer):
    """How far each token's vector has moved from its own input vector, layer by layer.

    The heatmap's row i, column j is the cosine similarity between token i's
    vector after the first L layers (the slider) and token j's input vector
    (L = 0: the embeddings themselves, where the diagonal is 1).

    Attributes
    ----------
    similarity : (n, n) the cosines shown
    own : (n,) each token's cosine with its own input vector (the diagonal)
    """

    def __init__(self, model: MiniLM, sentences: Sequence[str], *, layer: int = 0) -> None:
        self._start(model, sentences)
        self.layer_slider = widgets.IntSlider(value=layer, min=0, max=model.layers, description="layers run",
                                              layout=SLIDER_LAYOUT, style=SLIDER_STYLE)
        self.view = LiveHeatmap(xlabel="input vector (layer 0) of token", ylabel="token's vector now",
                                quantity="cosine")
        for control in (self.sentence_picker, self.layer_slider):
            control.observe(self._update, names="value")
        self.widget = widgets.VBox([self.sentence_picker, self.layer_slider, self.view.text, self.view.table])
        self._update()

    def _update(self, _change=None) -> None:
        layer, states = int(self.layer_slider.value), self.forward.states
        self.similarity = input_cosines(self.forward, layer)
        now = states[layer]
        self.own = np.diagonal(self.similarity).copy()
        closest_is_own = int((self.similarity.argmax(axis=1) == np.arange(len(now))).sum())
        labels = numbered(self.forward.tokens)
        self.view.labels.update(row_labels=labels, title=f"after {layer} of {self.model.layers} layers: cosine with the input vectors "
                                "(negative shown darkest)")
        self.view.refresh(self.similarity,
                          f"after {layer} of {self.model.layers} layers: a token's cosine with its own input vector is {self.own.mean():.2f} "
                          f"on average (lowest {self.own.min():.2f}); for {closest_is_own} of {len(now)} tokens the "
                          "closest input vector is still its own.")
