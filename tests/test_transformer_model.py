"""Lessons 10-11 on the real model: one attention implementation, batches, positions, live views."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons_lib import multi_head_attention
from lessons_lib.positions import offset_scores
from lessons_lib.pretrained import load_model
from lessons_lib.pretrained import model as model_module
from lessons_lib.pretrained.reading import BANK_MONEY, BANK_RIVER, FRENCH, TROPHY_BIG
from lessons_lib.pretrained.views import PositionsHeadExplorer, ResidualStreamViewer, numbered

SENTENCES = [BANK_MONEY, TROPHY_BIG, "Hi.", BANK_RIVER]


@pytest.fixture(scope="module")
def model():
    return load_model()  # all weights resident: faster tests


@pytest.fixture(scope="module")
def batch(model):
    return model.run_batch(SENTENCES)


# --- one implementation -------------------------------------------------------------
def test_the_models_attention_sublayer_is_multi_head_attention_with_the_layers_matrices(model):
    x = model.embed(model.encode(BANK_RIVER)[1])
    matrices, biases = model.attention_parameters(2)
    out, weights = model.attention_sublayer(x, 2)
    expected, expected_weights = multi_head_attention(x, *matrices, heads=12, biases=biases, return_weights=True)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(weights, expected_weights)


def test_the_model_module_has_no_attention_of_its_own():
    source = open(model_module.__file__, encoding="utf-8").read()
    assert "multi_head_attention(" in source and "attend(" not in source and "softmax" not in source


def test_the_residual_stream_is_stored_layer_by_layer(model):
    run = model.run(BANK_RIVER)
    assert run.states.shape == (7, len(run.tokens), 384)
    np.testing.assert_array_equal(run.states[-1], run.hidden)
    np.testing.assert_allclose(run.states[0], model.embed(run.ids), atol=1e-6)
    after_one = model.feed_forward(model.attention_block(run.states[0], 0)[0], 0)
    np.testing.assert_allclose(run.states[1], after_one, atol=1e-6)


def test_finish_layer_with_the_attention_output_gives_the_layers_output(model):
    run = model.run(BANK_MONEY)
    added, _ = model.attention_sublayer(run.states[3], 3)
    np.testing.assert_allclose(model.finish_layer(run.states[3], added, 3), run.states[4], atol=1e-5)


# --- batches and padding ----------------------------------------------------------------
def test_a_batch_equals_one_sentence_at_a_time_within_1e_5(model, batch):
    for k, text in enumerate(SENTENCES):
        alone = model.run(text)
        n = len(alone.tokens)
        np.testing.assert_allclose(batch.embedding[k], alone.embedding, atol=1e-5, rtol=0)
        np.testing.assert_allclose(batch.hidden[k, :n], alone.hidden, atol=1e-5, rtol=0)
        np.testing.assert_allclose(batch.attentions[k][..., :n, :n], alone.attentions, atol=1e-5, rtol=0)


def test_padded_keys_get_weight_exactly_zero(batch):
    for k in range(len(SENTENCES)):
        assert (batch.attentions[k][..., ~batch.real[k]] == 0).all()
    assert batch.tokens[2][-1] == "[PAD]" and batch.ids[2, -1] == 0
    assert batch.embedding.shape == (4, 384) and batch.embedding.dtype == np.float32


def test_without_the_key_mask_the_pads_change_the_real_tokens(model):
    loose = model.run_batch(SENTENCES, mask_keys=False)
    alone = model.run(BANK_MONEY)
    assert np.abs(loose.hidden[0, : len(alone.tokens)] - alone.hidden).max() > 0.1
    np.testing.assert_allclose(loose.hidden[1], model.run(TROPHY_BIG).hidden, atol=1e-5)  # the longest: no pads


def test_without_the_pooling_mask_the_pads_change_the_embedding_but_not_the_tokens(model, batch):
    unpooled = model.run_batch(SENTENCES, mask_pooling=False)
    np.testing.assert_array_equal(unpooled.hidden, batch.hidden)
    assert np.abs(unpooled.embedding[0] - batch.embedding[0]).max() > 0.1


@settings(max_examples=4)
@given(st.permutations(SENTENCES))
def test_a_sentences_result_does_not_depend_on_its_batch_companions_or_place(model, batch, order):
    shuffled = model.run_batch(list(order))
    for k, text in enumerate(order):
        np.testing.assert_allclose(shuffled.embedding[k], batch.embedding[SENTENCES.index(text)], atol=1e-5)


def test_run_batch_rejects_an_empty_list(model):
    with pytest.raises(ValueError, match="sentences must hold at least one sentence"):
        model.run_batch([])


def test_run_batch_rejects_non_strings(model):
    with pytest.raises(TypeError, match="entry 1 is int"):
        model.run_batch(["a sentence", 3])
    with pytest.raises(TypeError, match="sentences must be a list of strings"):
        model.run_batch("one string")


def test_run_rejects_a_non_string(model):
    with pytest.raises(TypeError, match="text must be a string"):
        model.run(["a", "list"])


def test_attention_sublayer_names_a_wrong_shape(model):
    with pytest.raises(ValueError, match=r"x must be \(n, 384\)"):
        model.attention_sublayer(np.ones((3, 10)), 0)


# --- positions on the real model ------------------------------------------------------------
def test_without_positions_the_model_is_permutation_equivariant(model):
    ids = model.encode(TROPHY_BIG)[1]
    order = np.random.default_rng(0).permutation(len(ids))
    plain, shuffled = model.forward(ids, positions=False), model.forward(ids[order], positions=False)
    np.testing.assert_allclose(shuffled.states, plain.states[:, order], atol=1e-5)


def test_the_next_token_head_keeps_its_pattern_on_shuffled_words_and_loses_it_without_positions(model):
    run = model.run(TROPHY_BIG)
    scores = offset_scores(run.attentions, 1)
    head = np.unravel_index(np.argmax(scores), scores.shape)
    assert scores[head] > 0.5
    shuffled = "wouldn't big fit the because in trophy The it too was suitcase"
    assert offset_scores(model.run(shuffled).attentions[head], 1) > 0.5
    assert offset_scores(model.run(TROPHY_BIG, positions=False).attentions[head], 1) < 0.1


# --- live views, headless ---------------------------------------------------------------------
def test_numbered_labels_tell_repeated_tokens_apart():
    assert numbered(["the", "cat", "the", "the"]) == ["the", "cat", "the²", "the³"]


def test_switching_positions_off_changes_the_shown_weights_and_text(model):
    explorer = PositionsHeadExplorer(model, [TROPHY_BIG, FRENCH], layer=1, head=8)
    before, renders = explorer.weights.copy(), explorer.view.renders
    assert explorer.following > 0.5 and "with positions" in explorer.view.caption
    explorer.positions_toggle.value = "off"
    assert explorer.following < 0.1 and "without positions" in explorer.view.caption
    assert not np.allclose(explorer.weights, before) and explorer.view.renders == renders + 1
    np.testing.assert_array_equal(explorer.weights, model.run(TROPHY_BIG, positions=False).head(1, 8))


def test_head_explorer_sliders_pick_the_head_and_the_sentence(model):
    explorer = PositionsHeadExplorer(model, [TROPHY_BIG, FRENCH])
    explorer.layer_slider.value, explorer.head_slider.value = 0, 2
    assert explorer.previous > 0.9
    explorer.sentence_picker.value = FRENCH
    assert explorer.weights.shape == (len(model.encode(FRENCH)[0]),) * 2
    assert "le²" in explorer.view.table.value  # the second "le" is numbered
    assert explorer.change.shape == (6, 12)


def test_residual_viewer_layer_slider_moves_tokens_away_from_their_inputs(model):
    viewer = ResidualStreamViewer(model, [TROPHY_BIG])
    np.testing.assert_allclose(viewer.own, 1, atol=1e-5)
    own = []
    for layer in range(7):
        viewer.layer_slider.value = layer
        own.append(viewer.own.mean())
    assert all(a > b for a, b in zip(own, own[1:]))
    assert "after 6 of 6 layers" in viewer.view.caption and viewer.similarity.shape == (17, 17)


def test_views_reject_an_empty_sentence_list(model):
    with pytest.raises(ValueError, match="sentences"):
        PositionsHeadExplorer(model, [])
    with pytest.raises(ValueError, match="sentences"):
        ResidualStreamViewer(model, "one string")


# --- the block, measured ----------------------------------------------------------------------
def test_sublayer_shares_are_positive_and_one_pair_per_layer(model):
    from lessons_lib.pretrained.block import shares_plot, sublayer_shares
    shares = sublayer_shares(model, model.run(BANK_MONEY))
    assert shares.shape == (6, 2) and (shares > 0.1).all()
    assert len(shares_plot(shares).axes[0].patches) == 12


def test_padding_effects_are_zero_with_both_masks_and_grow_with_the_pads(model):
    from lessons_lib.pretrained.block import padding_effects
    effects = padding_effects(model, [BANK_MONEY, "Hi.", TROPHY_BIG])
    assert all(e["both masks: token change"] < 1e-5 and e["both masks: cosine"] > 1 - 1e-6 for e in effects)
    money, hi, longest = effects
    assert longest["pads"] == 0 and longest["no key mask: cosine"] > 1 - 1e-6
    assert hi["no key mask: cosine"] < money["no key mask: cosine"] < 0.99
    assert hi["no pooling mask: cosine"] < money["no pooling mask: cosine"] < 0.99


def test_input_cosines_start_as_the_identity_and_match_the_viewer(model):
    from lessons_lib.pretrained.block import input_cosines
    run = model.run(BANK_RIVER)
    np.testing.assert_allclose(np.diagonal(input_cosines(run, 0)), 1, atol=1e-5)
    viewer = ResidualStreamViewer(model, [BANK_RIVER], layer=3)
    np.testing.assert_array_equal(viewer.similarity, input_cosines(run, 3))
    with pytest.raises(ValueError, match="layer must be"):
        input_cosines(run, 7)


def test_edit_effect_is_zero_before_any_layer_and_not_after(model):
    from lessons_lib.pretrained.block import edit_effect
    change = edit_effect(model, BANK_RIVER, BANK_RIVER.replace("river", "lake"), "bank")
    assert change.shape == (7,) and change[0] == 0 and (change[1:] > 0.05).all()
    np.testing.assert_array_equal(edit_effect(model, BANK_RIVER, BANK_RIVER, "bank"), np.zeros(7))
    with pytest.raises(ValueError, match="as many tokens"):
        edit_effect(model, BANK_RIVER, "We fished by the bank of the wide river.", "bank")
    with pytest.raises(ValueError, match="word must be a token"):
        edit_effect(model, BANK_RIVER, BANK_RIVER.replace("river", "lake"), "river")


def test_masked_mean_check_passes_the_solution_and_fails_the_plain_mean(capsys):
    from lessons_lib.checks import transformer as checks
    assert checks.check_masked_mean(checks.SOLUTIONS["check_masked_mean"]())
    assert not checks.check_masked_mean(lambda hidden, real: hidden.mean(axis=1))
    assert "plain mean" in capsys.readouterr().out
    assert not checks.check_masked_mean(lambda hidden, real: (hidden * real[..., None]).sum(axis=1) / real.shape[1])
    assert not checks.check_masked_mean(...)


def test_head_sharpness_is_one_and_zero_bits_for_one_hot_rows_and_uniform_bounds(model):
    import dataclasses
    from lessons_lib.pretrained.reading import head_sharpness
    run = model.run(TROPHY_BIG)
    largest, entropy = head_sharpness(run)
    n = len(run.tokens)
    assert largest.shape == entropy.shape == (6, 12)
    assert (largest >= 1 / n - 1e-6).all() and (entropy <= np.log2(n) + 1e-6).all()
    one_hot = dataclasses.replace(run, attentions=np.broadcast_to(np.eye(n), run.attentions.shape))
    largest, entropy = head_sharpness(one_hot)
    assert np.allclose(largest, 1) and np.allclose(entropy, 0)


def test_lesson_12_head_explorer_numbers_repeated_tokens(model):
    from lessons_lib.pretrained.explorer import HeadExplorer
    explorer = HeadExplorer(model, [TROPHY_BIG])
    assert "the²" in explorer.view.table.value
