"""Headless tests of the lesson 04-06 explorers: move a control, read the attributes."""

import ipywidgets as widgets
import numpy as np
import pytest

import svg_reader

from lessons_lib.example_widgets import BankSentenceExplorer, TranslationExplorer, TrophyExplorer


# --- bank -------------------------------------------------------------------------
@pytest.fixture
def bank():
    return BankSentenceExplorer()


def test_bank_explorer_starts_on_the_money_sense(bank):
    assert bank.ok and bank.sense == "finance"
    assert "money sense" in bank.message.value


def test_bank_explorer_follows_a_new_sentence(bank):
    before = bank.view.svg
    bank.set_sentence("We fished by the bank of the river")
    assert bank.sense == "nature" and len(bank.tokens) == 8
    assert np.isclose(bank.weights.sum(), 1)
    assert bank.view.svg != before
    bar_panel = svg_reader.panels(svg_reader.parse(bank.view.svg))[0]
    assert svg_reader.values(bar_panel) == [f"{w:.2f}" for w in bank.weights]
    assert svg_reader.texts(bar_panel)[-8:] == bank.tokens
    assert "river sense" in bank.message.value


def test_bank_explorer_lists_close_words_and_keeps_the_last_good_result(bank):
    tokens, weights, image = bank.tokens, bank.weights.copy(), bank.view.widget.value
    bank.set_sentence("I deposited mony at the bank")
    assert not bank.ok
    assert "mony" in bank.message.value and "money" in bank.message.value
    assert bank.tokens == tokens and np.array_equal(bank.weights, weights)
    assert bank.view.widget.value == image


def test_bank_explorer_stays_usable_after_a_bad_sentence(bank):
    bank.set_sentence("zzz qqq")
    bank.set_sentence("")
    bank.set_sentence("we walked by the river")
    assert "needs the word 'bank'" in bank.message.value
    bank.set_sentence("the boat sat by the muddy bank")
    assert bank.ok and bank.sense == "nature"


def test_bank_explorer_uses_the_lessons_temperature(bank):
    from lessons_lib.examples import focus_blend
    assert np.allclose(bank.weights, focus_blend(bank.sentence)[1])
    assert bank.weights.max() > 0.3  # sharpened: temperature 1 would give at most 0.21


def test_bank_explorer_draws_the_new_bank_on_the_sense_plane_without_duplicate_labels(bank):
    plane = svg_reader.panels(svg_reader.parse(bank.view.svg))[1]
    labels = svg_reader.texts(plane)
    assert "finance" in labels and "nature" in labels
    point = svg_reader.marks(plane, "point")[0]
    assert float(point.get("data-x")) == pytest.approx(bank.output[0], abs=1e-4)
    assert labels.count("bank alone") == 1 and "bank" not in labels
    assert "deposited" in labels and "money" in labels
    assert not any("the" == part.strip() for label in labels for part in label.split(","))  # (0, 0) left out


def test_bank_explorer_suggests_only_close_words():
    bank = BankSentenceExplorer()
    bank.set_sentence("I deposited monney at the bank")
    assert "close words I know: money)" in bank.message.value


def test_bank_explorer_typing_in_the_box_updates_it(bank):
    bank.box.value = "I paid cash at the bank"
    assert bank.sentence == "I paid cash at the bank" and bank.sense == "finance"


def test_bank_explorer_rejects_a_bad_starting_sentence():
    with pytest.raises(ValueError, match="sentence"):
        BankSentenceExplorer("we fished by the river")


# --- trophy -----------------------------------------------------------------------
def assert_arcs_show(trophy):
    """One arc per word in sentence order, the weights >= 0.05 written on it, the words along the bottom."""
    picture = svg_reader.parse(trophy.view.svg)
    arcs = svg_reader.marks(picture, "arc")
    assert [float(a.get("data-weight")) for a in arcs] == pytest.approx(trophy.weights, abs=1e-4)
    assert svg_reader.values(picture) == [f"{w:.2f}" for w in trophy.weights if w >= 0.05]
    assert svg_reader.texts(picture)[-len(trophy.tokens):] == trophy.tokens
    widths = [float(a.get("stroke-width")) for a in arcs]
    assert widths.index(max(widths)) == int(np.argmax(trophy.weights))


@pytest.fixture(scope="module")
def trophy():
    return TrophyExplorer()


def test_trophy_toggle_is_big_or_small_buttons(trophy):
    assert isinstance(trophy.toggle, widgets.ToggleButtons)
    assert trophy.toggle.options == ("big", "small")
    assert '"it" looks most at' in trophy.summary and trophy.summary in trophy.view.widget.value


def test_trophy_toggle_flips_the_noun_it_weights_most(trophy):
    trophy.toggle.value = "big"
    assert trophy.top_noun == "trophy"
    assert trophy.tokens[int(np.argmax(trophy.weights))] == "trophy"
    before, summary = trophy.view.svg, trophy.summary
    trophy.toggle.value = "small"
    assert trophy.top_noun == "suitcase"
    assert trophy.tokens[int(np.argmax(trophy.weights))] == "suitcase"
    assert trophy.view.svg != before
    assert summary != trophy.summary and "<b>suitcase</b>" in trophy.summary
    assert_arcs_show(trophy)
    trophy.toggle.value = "big"


def test_trophy_filler_slider_keeps_the_trophy_weight_constant(trophy):
    trophy.toggle.value = "big"
    trophy.slider.value = 0
    start, image = trophy.trophy_weight, trophy.view.svg
    distances = []
    for between in range(1, trophy.slider.max + 1):
        trophy.slider.value = between
        assert trophy.trophy_weight == pytest.approx(start, abs=1e-12)
        distances.append(trophy.distance)
        assert_arcs_show(trophy)
    assert distances == list(range(8, 8 + trophy.slider.max))
    assert trophy.view.svg != image
    trophy.slider.value = 0


def test_trophy_explorer_uses_the_role_toy(trophy):
    from lessons_lib.examples import it_weights
    trophy.toggle.value = "big"
    trophy.slider.value = 0
    tokens, weights = it_weights("big", between=0, fillers=8)
    assert trophy.tokens == tokens and np.allclose(trophy.weights, weights)
    assert trophy.trophy_weight > 0.9


def test_trophy_summary_shows_the_weights_as_text(trophy):
    trophy.toggle.value = "big"
    assert f"trophy {trophy.trophy_weight:.3f}" in trophy.summary
    assert f"suitcase {trophy.suitcase_weight:.3f}" in trophy.summary
    assert "weights of 'it'" in trophy.view.text
    assert "weights of &#x27;it&#x27;" in trophy.view.widget.value  # escaped in the page


# --- translation ------------------------------------------------------------------
@pytest.mark.parametrize("step, word, peak", [(1, "black", "noir"), (2, "cat", "chat"), (3, "sleeps", "dort"),
                                              (4, "on", "sur"), (6, "couch", "canapé")])
def test_translation_step_slider_moves_the_spotlight(step, word, peak):
    explorer = TranslationExplorer()
    before = explorer.view.svg
    explorer.slider.value = step
    assert explorer.word == word and explorer.peak == peak
    assert np.isclose(explorer.weights.sum(), 1)
    assert explorer.view.svg != before
    assert f"<b>{peak}</b>" in explorer.caption
    picture = svg_reader.parse(explorer.view.svg)
    assert svg_reader.values(picture) == [f"{w:.2f}" for w in explorer.weights]
    lit = svg_reader.marks(picture, "lit")
    assert [float(line.get("data-weight")) for line in lit] == pytest.approx(explorer.weights, abs=1e-4)
    widths = [float(line.get("stroke-width")) for line in lit]
    assert widths.index(max(widths)) == explorer.sources.index(peak)  # the thickest line goes to the peak


def test_translation_explorer_says_the_spotlight_on_the_is_shared():
    explorer = TranslationExplorer(step=5)
    assert explorer.word == "the"
    assert "shared by" in explorer.caption and "position 0" in explorer.caption
