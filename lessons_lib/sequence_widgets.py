"""Widgets for lessons 07-09: a training progress bar and the sqrt(d) explorer.

Like :mod:`lessons_lib.widgets`: the picture is SVG rewritten in place at each
step (:mod:`lessons_lib.svg_views`), numbers live in plain attributes, and the
text beside the picture says the same as the picture.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .attention import softmax
from .qkv import random_scores, saturation
from .svg_views import LivePicture, bar_panel, svg_figure
from .widgets import _Explorer


class TrainingProgress(_Explorer):
    """A progress bar and a one-line status, updated by :func:`lessons_lib.training.train`.

    Pass the object itself as ``callback``: it is called with ``(step, loss)``.
    """

    def __init__(self, steps: int, description: str = "training") -> None:
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be a positive integer, got {steps!r}")
        self.bar = widgets.IntProgress(value=0, min=0, max=int(steps), description=description)
        self.status = widgets.Label(value=f"step 0 of {steps}")
        self.step, self.loss = 0, float("nan")
        self.widget = widgets.HBox([self.bar, self.status])

    def __call__(self, step: int, loss: float) -> None:
        self.step, self.loss = int(step), float(loss)
        self.bar.value = self.step
        self.status.value = f"step {self.step} of {self.bar.max}: batch loss {self.loss:.3f}"


DIM_CHOICES = tuple(2**k for k in range(11))  # 1 .. 1024


class ScalingExplorer(_Explorer):
    """A slider on the dimension d: softmax weights of random scores, unscaled and divided by sqrt(d).

    The bars show one seeded random query against ``keys`` random keys; the text
    adds the mean largest weight over ``trials`` such draws (as in :func:`lessons_lib.qkv.saturation`).
    """

    def __init__(self, d: int = 64, *, keys: int = 8, trials: int = 200, seed: int = 0) -> None:
        if d not in DIM_CHOICES:
            raise ValueError(f"d must be one of {', '.join(map(str, DIM_CHOICES))}, got {d!r}")
        self.keys, self.seed, self.trials = keys, seed, trials
        self.measured = saturation(DIM_CHOICES, keys=keys, trials=trials, seed=seed)
        self.slider = widgets.SelectionSlider(options=list(DIM_CHOICES), value=d, description="dimension d",
                                              layout=widgets.Layout(width="420px"), style={"description_width": "90px"})
        self.labels = [f"key {k + 1}" for k in range(keys)]
        self.view = LivePicture()
        self.slider.observe(self._update, names="value")
        self.widget = widgets.VBox([self.slider, self.view.widget])
        self._update()

    @property
    def d(self) -> int:
        return int(self.slider.value)

    def _compute(self) -> None:
        scores = random_scores(self.d, keys=self.keys, trials=1, seed=self.seed)[0]
        self.weights_unscaled = softmax(scores)
        self.weights_scaled = softmax(scores / np.sqrt(self.d))
        row = DIM_CHOICES.index(self.d)
        self.largest_unscaled = float(self.measured.largest_unscaled[row])
        self.largest_scaled = float(self.measured.largest_scaled[row])

    def _update(self, _change=None) -> None:
        self._compute()
        width = max(300, 70 + 46 * self.keys)
        panels = [(bar_panel(w, self.labels, width=width, height=250, title=title), width, 250)
                  for w, title in ((self.weights_unscaled, "softmax(q·k)"), (self.weights_scaled, "softmax(q·k / √d)"))]
        picture = svg_figure(panels, label=(
            "Two bar charts of softmax weights over the keys, without and with division by √d; "
            "the largest weights are in the text beside them."))
        self.view.refresh(
            picture,
            f"d = {self.d}\n"
            f"largest weight, this draw:     without scaling {self.weights_unscaled.max():.3f}, "
            f"divided by √d {self.weights_scaled.max():.3f}\n"
            f"mean of {self.trials} draws:       without scaling {self.largest_unscaled:.3f}, "
            f"divided by √d {self.largest_scaled:.3f}   (uniform would be {1 / self.keys:.3f})",
        )
