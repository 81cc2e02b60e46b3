"""A live picker for the pretrained model: choose a sentence, a layer and a head."""
from __future__ import annotations

from typing import Sequence

import ipywidgets as widgets
import numpy as np

from ..widgets import SLIDER_STYLE, LiveHeatmap, _Explorer
from .model import MiniLM
from .views import _SentenceRuns, numbered


class HeadExplorer(_SentenceRuns, _Explorer):
    """Heatmap of one attention head of the real model, picked with two sliders.

    A sentence typed into the text box (then Enter) joins the drop-down and is shown.

    Parameters
    ----------
    model : the loaded model (:func:`~.model.load_model`)
    sentences : the sentences offered in the drop-down
    layer, head : the head shown first

    Attributes
    ----------
    forward : the model's run on the chosen sentence
    weights : (n, n) the weights of the chosen head
    """

    def __init__(self, model: MiniLM, sentences: Sequence[str], *, layer: int = 0, head: int = 0) -> None:
        self._start(model, sentences)
        self._head_sliders(layer, head)
        self.sentence_box = widgets.Text(placeholder="type a sentence of your own, then press Enter",
                                         description="your own", continuous_update=False,
                                         layout=widgets.Layout(width="560px"), style=SLIDER_STYLE)
        self.view = LiveHeatmap(xlabel="attends to (key)", ylabel="token (query)")
        self.sentence_picker.observe(self._update, names="value")
        self.sentence_box.observe(self._add_sentence, names="value")
        for slider in (self.layer_slider, self.head_slider):
            slider.observe(self._update, names="value")
        controls = widgets.VBox([self.sentence_picker, self.sentence_box,
                                 widgets.HBox([self.layer_slider, self.head_slider])])
        self.widget = widgets.VBox([controls, self.view.text, self.view.table])
        self._update()

    @property
    def layer(self) -> int:
        return int(self.layer_slider.value)

    @property
    def head(self) -> int:
        return int(self.head_slider.value)

    def _add_sentence(self, change) -> None:
        text = str(change["new"]).strip()
        if not text:
            return
        if len(self.model.encode(text)[1]) > self.model.max_tokens:
            self.view.text.value = f"<p>that sentence is longer than {self.model.max_tokens} tokens</p>"
            return
        if text not in self.sentence_picker.options:
            self.sentence_picker.options = [*self.sentence_picker.options, text]
        self.sentence_picker.value = text

    def _update(self, _change=None) -> None:
        self.weights = self.forward.head(self.layer, self.head)
        tokens = self.forward.tokens
        self.view.labels.update(row_labels=numbered(tokens), title=f"layer {self.layer}, head {self.head}")
        strongest = np.argmax(self.weights, axis=1)
        summary = ", ".join(f"{t}→{tokens[j]}" for t, j in zip(tokens, strongest))
        self.view.refresh(self.weights, f"strongest link of each token: {summary}")
