"""Explorers for the worked examples of lessons 04-06.

* :class:`BankSentenceExplorer` - type a sentence with "bank"; see its weights
  and which sense the blend leans to. Bad input gets a friendly message and
  the last good result stays on screen.
* :class:`TrophyExplorer` - toggle "too big" / "too small" and move filler
  words between "trophy" and "it"; arcs show the weights of "it".
* :class:`TranslationExplorer` - step through the English words; the
  spotlight on the French words moves.

As in :mod:`lessons_lib.widgets`, each explorer shows one SVG picture
(:mod:`lessons_lib.svg_views`) with its caption and text twin, rewritten in
place at every step, and keeps its numbers in plain attributes.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from . import diagrams, plots
from .svg_views import LivePicture, alignment_panel, arcs_panel, bar_panel, sense_panel, svg_figure
from .examples import (
    ENGLISH_SENTENCE, FILLERS, FRENCH_SENTENCE, MONEY_SENTENCE, bank_sense, cross_attention, focus_blend, it_weights,
    sentence_problem,
)
from .vocab import WORDS
from .widgets import _Explorer


class BankSentenceExplorer(_Explorer):
    """Type a sentence; the weights of "bank" and its blended vector update.

    Left: the weights of "bank" (temperature ``examples.BANK_TEMPERATURE``, as in
    the lesson). Right: the new "bank" on the finance-nature plane, with the
    sentence's words as grey dots.

    Parameters
    ----------
    sentence : the starting sentence (must be usable: known words, with "bank")
    """

    focus = "bank"

    def __init__(self, sentence: str = MONEY_SENTENCE) -> None:
        problem = sentence_problem(sentence, self.focus)
        if problem:
            raise ValueError(f"sentence cannot start the explorer: {problem}")
        self.box = widgets.Text(value=sentence, description="sentence", continuous_update=False,
                                layout=widgets.Layout(width="520px"))
        self.message = widgets.HTML()
        self.view = LivePicture()
        self.box.observe(self._on_text, names="value")
        self.widget = widgets.VBox([self.box, self.message, self.view.widget])
        self._show(sentence)

    def set_sentence(self, sentence: str) -> None:
        """Type ``sentence`` into the box (as the learner would)."""
        self.box.value = sentence

    def _on_text(self, change) -> None:
        self._show(change["new"])

    def _show(self, sentence: str) -> None:
        problem = sentence_problem(sentence, self.focus)
        if problem:
            self.ok = False
            self.message.value = f"<p>⚠️ {html.escape(problem, quote=False)} The picture still shows the last sentence that worked.</p>"
            return
        self.ok = True
        self.sentence = sentence
        self.tokens, self.weights, self.output = focus_blend(sentence, self.focus)
        self.vectors = WORDS.vectors(self.tokens)
        self.sense = bank_sense(self.output)
        finance, nature = self.output[WORDS.axis("finance")], self.output[WORDS.axis("nature")]
        verdict = {"finance": "the money sense", "nature": "the river sense", "undecided": "neither sense clearly"}
        self.message.value = (f"<p>'bank' leans to <b>{verdict[self.sense]}</b> "
                              f"(finance {finance:.2f}, nature {nature:.2f}).</p>")
        self._redraw()

    def _redraw(self) -> None:
        width = max(340, 60 + 44 * len(self.tokens))
        bars = bar_panel(self.weights, self.tokens, width=width, height=330, title="weights of 'bank'",
                         ylim=(0.0, max(0.4, float(self.weights.max()) + 0.1)))
        finance, nature = WORDS.axis("finance"), WORDS.axis("nature")
        plane = [finance, nature]
        words = {t: v[plane] for t, v in zip(self.tokens, self.vectors) if t != self.focus}
        sense = sense_panel(self.output[plane], "new 'bank' in this sentence", width=330, height=350,
                            reference={"bank alone": WORDS.vector("bank")[plane]}, words=words,
                            title="finance vs nature")
        picture = svg_figure([(bars, width, 330), (sense, 330, 350)], label=(
            "Bar chart of the weights of 'bank', and the new 'bank' on the finance-nature plane; "
            "the numbers are in the table beside it."))
        self.view.refresh(picture, f"sentence: {' '.join(self.tokens)}\nsense: {self.sense}\n\n"
                          + plots.weights_table(self.weights, self.tokens) + "\n\nblended 'bank'\n"
                          + plots.vector_table(self.output, WORDS.dimensions))


class TrophyExplorer(_Explorer):
    """Toggle "big"/"small" and move fillers between "trophy" and "it" (role toy of lesson 05).

    The sentence always holds the same filler adverbs: the slider moves
    ``between`` of them from the start of the sentence to just after
    "because", so only the distance from "trophy" to "it" changes.
    """

    def __init__(self, adjective: str = "big", between: int = 0) -> None:
        self.toggle = widgets.ToggleButtons(options=("big", "small"), value=adjective,
                                            description="too …", style={"button_width": "70px"})
        self.slider = widgets.IntSlider(value=between, min=0, max=len(FILLERS), description="fillers between",
                                        style={"description_width": "110px"}, layout=widgets.Layout(width="360px"))
        self.view = LivePicture()
        for control in (self.toggle, self.slider):
            control.observe(self._update, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.toggle, self.slider]), self.view.widget])
        self._update()

    @property
    def adjective(self) -> str:
        return str(self.toggle.value)

    @property
    def between(self) -> int:
        return int(self.slider.value)

    def _compute(self) -> None:
        self.tokens, self.weights = it_weights(self.adjective, between=self.between, fillers=len(FILLERS))
        self.source = self.tokens.index("it")
        self.trophy_weight = float(self.weights[self.tokens.index("trophy")])
        self.suitcase_weight = float(self.weights[self.tokens.index("suitcase")])
        self.top_noun = "trophy" if self.trophy_weight > self.suitcase_weight else "suitcase"
        self.distance = self.source - self.tokens.index("trophy")

    def _title(self) -> str:
        return f'weights of "it" in "…because it was too {self.adjective}" (toy 2: roles)'

    @property
    def summary(self) -> str:
        """The line above the picture: the noun "it" looks at most, with both nouns' weights."""
        return self.view.caption

    def _update(self, _change=None) -> None:
        self._compute()
        arcs = arcs_panel(self.weights, self.tokens, self.source, width=920, height=300, title=self._title())
        picture = svg_figure([(arcs, 920, 300)], label=(
            'Arcs from "it" to every word of the sentence, thicker for larger weights; '
            "the weights are in the table beside it."))
        summary = (f'"it" looks most at: <b>{self.top_noun}</b> — trophy {self.trophy_weight:.3f}, '
                   f"suitcase {self.suitcase_weight:.3f}; trophy is {self.distance} words before it.")
        self.view.refresh(picture, diagrams.arc_table(self.weights, self.tokens, self.source, digits=3), summary)


class TranslationExplorer(_Explorer):
    """Step through the English words; the alignment lines of the current word light up."""

    def __init__(self, step: int = 0) -> None:
        self.targets, self.sources, self.matrix = cross_attention(ENGLISH_SENTENCE, FRENCH_SENTENCE)
        self.slider = widgets.IntSlider(value=step, min=0, max=len(self.targets) - 1, description="English word",
                                        style={"description_width": "100px"}, layout=widgets.Layout(width="360px"))
        self.view = LivePicture()
        self.slider.observe(self._update, names="value")
        self.widget = widgets.VBox([self.slider, self.view.widget])
        self._update()

    @property
    def step(self) -> int:
        return int(self.slider.value)

    def _update(self, _change=None) -> None:
        self.word = self.targets[self.step]
        self.weights = self.matrix[self.step]
        self.peak = self.sources[int(np.argmax(self.weights))]
        lit = [f"{self.sources[j]} (position {j})" for j in np.flatnonzero(self.weights >= self.weights.max() - 0.01)]
        spot = f"is on <b>{html.escape(self.peak)}</b>" if len(lit) == 1 else "is shared by " + " and ".join(
            f"<b>{html.escape(x)}</b>" for x in lit)
        caption = f"Producing <b>{html.escape(self.word)}</b>: the spotlight {spot} ({self.weights.max():.2f})."
        width = 160 + 90 * max(len(self.targets), len(self.sources))
        links = alignment_panel(self.matrix, self.targets, self.sources, highlight=self.step, width=width,
                                height=260, title="cross-attention: English word → French words (toy vectors)")
        picture = svg_figure([(links, width, 260)], label=(
            f"Lines from each English word to the French words, those of {self.word!r} in colour and "
            "thicker for larger weights; its weights are in the table beside it."))
        table = plots.weights_table(self.weights, self.sources)
        self.view.refresh(picture, f"step {self.step}: English word {self.word!r}\n{table}", caption)

    @property
    def caption(self) -> str:
        """The line above the picture: where the spotlight is for the current English word."""
        return self.view.caption
