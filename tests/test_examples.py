"""Tests for lessons_lib.examples: bank senses, trophy, translation, bottleneck."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib import WORDS, UnknownWordError, softmax
from lessons_lib import examples as ex


# --- lesson 04 ---------------------------------------------------------------------
def test_focus_blend_is_one_row_of_the_full_self_attention():
    tokens, weights = ex.self_attention_matrix(ex.FISHING_SENTENCE)
    same_tokens, row, blended = ex.focus_blend(ex.FISHING_SENTENCE)
    i = tokens.index("bank")
    assert same_tokens == tokens
    assert np.allclose(row, weights[i])
    assert np.allclose(blended, (weights @ WORDS.vectors(tokens))[i])


def test_self_attention_matrix_rows_sum_to_one():
    _, weights = ex.self_attention_matrix(ex.MONEY_SENTENCE)
    assert np.allclose(weights.sum(axis=1), 1)


@pytest.mark.parametrize("name, sense", [("money", "finance"), ("river", "nature"), ("lesson 01", "finance")])
def test_bank_takes_the_sense_of_its_sentence(name, sense):
    assert ex.bank_sense(ex.focus_blend(ex.BANK_EXAMPLES[name])[2]) == sense


def test_the_plain_softmax_leaves_the_bank_row_nearly_flat():
    _, flat, _ = ex.focus_blend(ex.MONEY_SENTENCE, temperature=1.0)
    _, sharp, _ = ex.focus_blend(ex.MONEY_SENTENCE)
    assert flat.max() - flat.min() < 0.1
    assert sharp.max() - sharp.min() > 0.25


def test_the_lesson_temperature_shrinks_the_function_feature_of_the_river_bank():
    function = WORDS.axis("function")
    plain = ex.focus_blend(ex.FISHING_SENTENCE, temperature=1.0)[2]
    sharp = ex.focus_blend(ex.FISHING_SENTENCE)[2]
    assert plain[function] > plain[WORDS.axis("nature")]  # temperature 1: function words dominate
    assert sharp[function] < 0.2 and sharp[WORDS.axis("nature")] > 0.6


def test_self_attention_matrix_uses_the_bank_temperature_by_default():
    tokens, weights = ex.self_attention_matrix(ex.MONEY_SENTENCE)
    vectors = WORDS.vectors(tokens)
    assert np.allclose(weights, softmax(vectors @ vectors.T, axis=1, temperature=ex.BANK_TEMPERATURE))


def test_self_attention_matrix_rejects_a_zero_temperature():
    with pytest.raises(ValueError, match="temperature"):
        ex.self_attention_matrix(ex.MONEY_SENTENCE, temperature=0)


def test_focus_blend_rejects_a_negative_temperature():
    with pytest.raises(ValueError, match="temperature"):
        ex.focus_blend(ex.MONEY_SENTENCE, temperature=-1)


def test_bank_alone_is_undecided():
    assert ex.bank_sense(WORDS.vector("bank")) == "undecided"


def test_focus_blend_rejects_a_focus_missing_from_the_sentence():
    with pytest.raises(ValueError, match="focus"):
        ex.focus_blend("we fished by the river", "bank")


def test_bank_sense_rejects_a_vector_of_the_wrong_size():
    with pytest.raises(ValueError, match="vector"):
        ex.bank_sense([0.5, 0.1])


def test_sentence_problem_lists_close_words_for_a_typo():
    message = ex.sentence_problem("I deposited mony at the bank")
    assert "'mony'" in message and "money" in message


def test_close_words_keeps_only_the_good_matches():
    assert ex.close_words("monney") == ["money"]
    assert ex.close_words("fishd") == ["fished", "fish"]
    assert ex.close_words("zzz") == []


def test_close_words_rejects_a_number():
    with pytest.raises(ValueError, match="word"):
        ex.close_words(3)


def test_sentence_problem_asks_for_the_focus_word():
    assert "'bank'" in ex.sentence_problem("we fished by the river")


def test_sentence_problem_asks_for_text_when_empty():
    assert "Type a sentence" in ex.sentence_problem("  ,. ")


def test_sentence_problem_limits_the_length():
    assert str(ex.MAX_WORDS) in ex.sentence_problem("the " * ex.MAX_WORDS + "bank")


def test_sentence_problem_accepts_a_good_sentence():
    assert ex.sentence_problem("We fished by the bank of the river.") == ""


# --- lesson 05 ---------------------------------------------------------------------
def test_trophy_tokens_without_fillers_is_the_sentence():
    assert ex.trophy_tokens() == ["the", "trophy", "wouldn't", "fit", "in", "the", "suitcase",
                                  "because", "it", "was", "too", "big"]


def test_trophy_tokens_places_the_between_fillers_after_because():
    tokens = ex.trophy_tokens("small", between=2, fillers=3)
    assert tokens[:2] == ["frankly", "the"]
    assert tokens[tokens.index("because") + 1: tokens.index("it")] == ["honestly", "really"]
    assert tokens[-1] == "small" and len(tokens) == 15


def test_trophy_tokens_rejects_another_adjective():
    with pytest.raises(ValueError, match="adjective"):
        ex.trophy_tokens("huge")


def test_trophy_tokens_rejects_more_between_than_fillers():
    with pytest.raises(ValueError, match="between"):
        ex.trophy_tokens(between=3, fillers=2)


def test_trophy_tokens_rejects_negative_fillers():
    with pytest.raises(ValueError, match="fillers"):
        ex.trophy_tokens(fillers=-1)


def test_it_query_adds_the_object_feature_for_too_big():
    query = ex.it_query(ex.trophy_tokens("big"))
    assert np.allclose(query, WORDS.vector("it") + WORDS.vector("big"))
    assert query[WORDS.axis("object")] > query[WORDS.axis("container")]


def test_it_query_adds_the_container_feature_for_too_small():
    query = ex.it_query(ex.trophy_tokens("small"))
    assert query[WORDS.axis("container")] > query[WORDS.axis("object")]


def test_it_query_without_a_predicate_is_the_vector_of_it():
    assert np.allclose(ex.it_query(["it", "was", "the", "trophy"]), WORDS.vector("it"))


def test_it_query_rejects_tokens_without_it():
    with pytest.raises(ValueError, match="tokens"):
        ex.it_query(["the", "trophy"])


# toy 1 (word features) is a shortcut; toy 2 (roles) passes the control sentences
def test_the_word_toy_links_it_to_the_trophy_in_the_lesson_sentence():
    tokens, weights, it = ex.coreference_attention(ex.TROPHY_SENTENCE)
    assert tokens[int(np.argmax(weights[it]))] == "trophy"


def test_the_word_toy_fails_the_role_swapped_control():
    tokens, weights, it = ex.coreference_attention(ex.ROLE_SWAP_SENTENCE)
    assert tokens[int(np.argmax(weights[it]))] == "trophy"  # wrong: the suitcase was too big
    assert ex.referent_answer(ex.ROLE_SWAP_SENTENCE) == "suitcase"


@pytest.mark.parametrize("sentence, answer", [
    (ex.TROPHY_SENTENCE, "trophy"),
    (ex.TROPHY_SENTENCE.replace("big", "small"), "suitcase"),
    (ex.ROLE_SWAP_SENTENCE, "suitcase"),
    (ex.ROLE_SWAP_SENTENCE.replace("big", "small"), "trophy"),
    ("The box wouldn't fit in the suitcase because it was too big.", "box"),
    ("The box wouldn't fit in the ball because it was too small.", "ball"),
])
def test_the_role_toy_links_it_to_the_right_noun(sentence, answer):
    tokens, weights, it = ex.role_attention(sentence)
    assert ex.referent_answer(sentence) == answer
    assert tokens[int(np.argmax(weights[it]))] == answer and weights[it].max() > 0.8


def test_fit_roles_marks_the_noun_before_fit_and_the_noun_after():
    roles = ex.fit_roles(ex.trophy_tokens("big", between=2, fillers=3))
    tokens = ex.trophy_tokens("big", between=2, fillers=3)
    assert {t: r for t, r in zip(tokens, roles) if r} == {"trophy": "goes in", "suitcase": "holds"}


def test_fit_roles_gives_no_roles_without_fit():
    assert ex.fit_roles("the trophy was too big") == [""] * 5


def test_role_keys_append_the_two_role_features():
    tokens = ex.trophy_tokens("big")
    keys = ex.role_keys(tokens)
    assert keys.shape == (len(tokens), len(WORDS.dimensions) + 2)
    assert np.allclose(keys[:, :6], WORDS.vectors(tokens))
    assert keys[tokens.index("trophy"), 6:].tolist() == [1, 0]
    assert keys[tokens.index("suitcase"), 6:].tolist() == [0, 1]
    assert keys[:, 6:].sum() == 2


@pytest.mark.parametrize("adjective, request_", [("big", [1, 0]), ("small", [0, 1])])
def test_role_query_asks_for_the_role_the_adjective_blames(adjective, request_):
    query = ex.role_query(ex.trophy_tokens(adjective))
    assert np.allclose(query, np.concatenate([WORDS.vector("it"), request_]))


def test_role_query_without_too_asks_for_no_role():
    assert np.allclose(ex.role_query(["it", "was", "the", "trophy"])[6:], 0)


def test_role_query_rejects_tokens_without_it():
    with pytest.raises(ValueError, match="tokens"):
        ex.role_query(["the", "trophy"])


def test_role_attention_changes_only_the_row_of_it():
    tokens, weights, it = ex.role_attention(ex.TROPHY_SENTENCE)
    _, plain, _ = ex.coreference_attention(ex.TROPHY_SENTENCE)
    others = [k for k in range(len(tokens)) if k != it]
    assert np.allclose(weights.sum(axis=1), 1)
    assert np.allclose(weights[others], plain[others])  # their queries ask for no role
    assert not np.allclose(weights[it], plain[it])


def test_role_attention_rejects_a_sentence_without_it():
    with pytest.raises(ValueError, match="sentence"):
        ex.role_attention("the trophy wouldn't fit in the suitcase")


def test_referent_answer_rejects_a_sentence_without_the_pattern():
    with pytest.raises(ValueError, match="sentence"):
        ex.referent_answer("it was too big")


def test_referent_table_marks_the_word_toys_wrong_pick():
    lines = ex.referent_table([ex.TROPHY_SENTENCE, ex.ROLE_SWAP_SENTENCE]).splitlines()
    assert "✗" not in lines[1]
    assert lines[2].count("✗") == 1 and "trophy 0.59  ✗" in lines[2]


def test_it_weights_can_use_either_toy():
    tokens, roles = ex.it_weights("big")
    _, words = ex.it_weights("big", model="words")
    assert roles[tokens.index("trophy")] > 0.9 > words[tokens.index("trophy")] > 0.5


def test_it_weights_rejects_an_unknown_model():
    with pytest.raises(ValueError, match="model"):
        ex.it_weights("big", model="grammar")


def test_too_big_puts_the_largest_weight_of_it_on_the_trophy():
    tokens, weights = ex.it_weights("big")
    assert tokens[int(np.argmax(weights))] == "trophy"
    assert weights[tokens.index("trophy")] > 10 * weights[tokens.index("suitcase")]


def test_too_small_puts_the_largest_weight_of_it_on_the_suitcase():
    tokens, weights = ex.it_weights("small")
    assert tokens[int(np.argmax(weights))] == "suitcase"
    assert weights[tokens.index("suitcase")] > 10 * weights[tokens.index("trophy")]


def test_it_alone_cannot_tell_trophy_from_suitcase():
    tokens, vectors = WORDS.encode(ex.TROPHY_SENTENCE)
    scores = vectors @ WORDS.vector("it")
    assert abs(scores[tokens.index("trophy")] - scores[tokens.index("suitcase")]) < 0.1


@given(adjective=st.sampled_from(["big", "small"]), fillers=st.integers(0, 12), data=st.data())
def test_moving_fillers_between_trophy_and_it_leaves_the_trophy_weight_unchanged(adjective, fillers, data):
    between = data.draw(st.integers(0, fillers))
    reference_tokens, reference = ex.it_weights(adjective, between=0, fillers=fillers)
    tokens, weights = ex.it_weights(adjective, between=between, fillers=fillers)
    assert weights[tokens.index("trophy")] == pytest.approx(reference[reference_tokens.index("trophy")], abs=1e-12)
    assert tokens.index("it") - tokens.index("trophy") == 7 + between


def test_coreference_attention_rows_sum_to_one():
    _, weights, it = ex.coreference_attention(ex.TROPHY_SENTENCE)
    assert np.allclose(weights.sum(axis=1), 1) and it == 8


def test_coreference_attention_rejects_a_sentence_without_it():
    with pytest.raises(ValueError, match="sentence"):
        ex.coreference_attention("the trophy was big")


def test_coreference_attention_rejects_a_zero_temperature():
    with pytest.raises(ValueError, match="temperature"):
        ex.coreference_attention(ex.TROPHY_SENTENCE, temperature=0)


# --- lesson 06 ---------------------------------------------------------------------
EXPECTED_PEAK = {"black": "noir", "cat": "chat", "sleeps": "dort", "on": "sur", "couch": "canapé"}


def test_cross_attention_puts_each_english_word_on_its_translation():
    english, french, weights = ex.cross_attention()
    for word, translation in EXPECTED_PEAK.items():
        assert french[int(np.argmax(weights[english.index(word)]))] == translation


def test_cross_attention_swaps_the_order_of_noir_and_chat():
    english, french, weights = ex.cross_attention()
    assert english.index("black") < english.index("cat")
    assert french.index("noir") > french.index("chat")
    assert weights[english.index("black"), french.index("noir")] > 0.8


def test_the_splits_evenly_between_the_two_identical_le():
    english, french, weights = ex.cross_attention()
    row = weights[english.index("the")]
    assert row[0] == pytest.approx(row[5]) and row[0] > 0.4


def test_cross_attention_rows_sum_to_one():
    assert np.allclose(ex.cross_attention()[2].sum(axis=1), 1)


def test_cross_attention_rejects_an_unknown_word_with_close_words():
    with pytest.raises(UnknownWordError, match="chat"):
        ex.cross_attention("the cat", "le chta")


def test_cross_attention_rejects_a_negative_temperature():
    with pytest.raises(ValueError, match="temperature"):
        ex.cross_attention(temperature=-1.0)


def test_bilingual_vocabulary_has_its_own_named_dimensions():
    assert ex.BILINGUAL.dimensions == ex.BILINGUAL_DIMENSIONS != WORDS.dimensions
    assert "canapé" in ex.BILINGUAL and "canapé" not in WORDS


@pytest.fixture(scope="module")
def measured():
    return ex.bottleneck_measurement()


def test_bottleneck_measurement_is_reproducible_with_a_seed(measured):
    again = ex.bottleneck_measurement()
    assert np.array_equal(again.mean_accuracy, measured.mean_accuracy)
    assert np.array_equal(again.attention_accuracy, measured.attention_accuracy)


def test_the_mean_summary_loses_the_word_as_sentences_grow(measured):
    assert measured.mean_accuracy[0] >= 0.95
    assert measured.mean_accuracy[-1] <= 0.1
    assert (np.diff(measured.mean_accuracy) <= 0.02).all()


def test_the_attention_blend_keeps_recovering_the_word(measured):
    assert (measured.attention_accuracy >= 0.95).all()
    assert (measured.attention_accuracy >= measured.mean_accuracy).all()


def test_both_readers_beat_chance_at_the_shortest_length(measured):
    assert measured.chance == pytest.approx(1 / 512)
    assert min(measured.mean_accuracy[0], measured.attention_accuracy[0]) > 100 * measured.chance


def test_a_bigger_summary_holds_out_longer_but_still_falls():
    small = ex.bottleneck_measurement(lengths=(16, 64), dim=32, trials=200)
    big = ex.bottleneck_measurement(lengths=(16, 64), dim=128, trials=200)
    assert big.mean_accuracy[0] > small.mean_accuracy[0] + 0.2
    assert big.mean_accuracy[1] < 0.5


def test_a_different_seed_gives_different_trials():
    a = ex.bottleneck_measurement(lengths=(8,), trials=100, seed=1)
    b = ex.bottleneck_measurement(lengths=(8,), trials=100, seed=2)
    assert a.mean_accuracy[0] != b.mean_accuracy[0]


@pytest.mark.parametrize("lengths", [(0, 4), (2.5,), (1000,)])
def test_bottleneck_measurement_rejects_bad_lengths(lengths):
    with pytest.raises(ValueError, match="lengths"):
        ex.bottleneck_measurement(lengths=lengths)


@pytest.mark.parametrize("name", ["dim", "trials", "vocab_size"])
def test_bottleneck_measurement_rejects_a_zero_count(name):
    with pytest.raises(ValueError, match=name):
        ex.bottleneck_measurement(lengths=(2,), **{name: 0})


def _bottleneck_all_at_once(lengths, dim, vocab_size, trials, seed):
    """The measurement with every trial of a length in one array (the memory-hungry way)."""
    rng = np.random.default_rng(seed)
    words = rng.standard_normal((vocab_size, dim))
    words /= np.linalg.norm(words, axis=1, keepdims=True)
    codes = rng.choice([-1.0, 1.0], size=(max(lengths), dim))
    accuracy = []
    for n in lengths:
        ids = rng.random((trials, vocab_size)).argsort(axis=1)[:, :n]
        wanted = rng.integers(0, n, trials)
        tokens, query = words[ids] * codes[:n], codes[wanted]
        weights = softmax(query @ codes[:n].T / np.sqrt(dim), axis=1)
        truth = ids[np.arange(trials), wanted]
        for summary in (tokens.mean(axis=1), np.einsum("tn,tnd->td", weights, tokens)):
            accuracy.append(np.mean(np.argmax((summary * query) @ words.T, axis=1) == truth))
    return np.array(accuracy[0::2]), np.array(accuracy[1::2])


@pytest.mark.parametrize("block_numbers", [1, 700, 2**17])
@pytest.mark.parametrize(("lengths", "dim", "trials", "seed"), [((2, 8, 64), 64, 300, 0), ((3, 40), 24, 57, 4)])
def test_bottleneck_blocks_of_trials_give_the_same_numbers_as_all_trials_at_once(
        monkeypatch, block_numbers, lengths, dim, trials, seed):
    monkeypatch.setattr(ex, "_BLOCK_NUMBERS", block_numbers)  # 1: one trial per block
    result = ex.bottleneck_measurement(lengths, dim=dim, vocab_size=256, trials=trials, seed=seed)
    mean_accuracy, attention_accuracy = _bottleneck_all_at_once(lengths, dim, 256, trials, seed)
    np.testing.assert_array_equal(result.mean_accuracy, mean_accuracy)
    np.testing.assert_array_equal(result.attention_accuracy, attention_accuracy)


def test_bottleneck_measurement_memory_stays_small_for_a_long_wide_sentence():
    import tracemalloc

    tracemalloc.start()
    try:
        ex.bottleneck_measurement(lengths=(64,), dim=128, trials=300)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    all_tokens = 300 * 64 * 128 * 8  # 18.75 MiB of float64 if every trial were held at once
    assert peak < all_tokens / 3


def test_the_attention_reader_puts_nearly_all_weight_on_the_wanted_token(measured):
    assert measured.wanted_weight.shape == measured.lengths.shape
    assert (measured.wanted_weight > 0.95).all()
    assert measured.wanted_weight[-1] < measured.wanted_weight[0]  # more tokens leak a little more


def test_first_length_below_finds_the_first_failing_length(measured):
    length = ex.first_length_below(measured, 0.5)
    k = list(measured.lengths).index(length)
    assert measured.mean_accuracy[k] < 0.5 <= measured.mean_accuracy[k - 1]


def test_first_length_below_is_none_when_the_reader_never_fails(measured):
    assert ex.first_length_below(measured, 0.5, reader="attention") is None


def test_first_length_below_rejects_an_unknown_reader(measured):
    with pytest.raises(ValueError, match="reader"):
        ex.first_length_below(measured, reader="rnn")


def test_first_length_below_rejects_a_level_above_one(measured):
    with pytest.raises(ValueError, match="level"):
        ex.first_length_below(measured, 50)


def test_bottleneck_sweep_reads_about_the_same_at_the_same_fraction_of_d():
    sweep = ex.bottleneck_sweep(dims=(16, 32), fractions=(1 / 16, 1 / 8, 1 / 2), trials=200, seed=0)
    assert sweep.mean_accuracy.shape == (2, 3)
    assert (sweep.mean_accuracy[:, 0] > 0.9).all() and (sweep.mean_accuracy[:, 2] < 0.15).all()
    assert abs(sweep.mean_accuracy[0, 1] - sweep.mean_accuracy[1, 1]) < 0.15


def test_bottleneck_sweep_table_names_each_length_as_a_fraction_of_d():
    sweep = ex.BottleneckSweep(np.array([16]), np.array([0.125, 0.5]), np.array([[0.5, 0.04]]), 10, 0)
    assert [line.split() for line in ex.bottleneck_sweep_table(sweep).splitlines()] == [
        ["d", "n", "=", "d/8", "n", "=", "d/2"], ["16", "0.50", "0.04"]]


def test_bottleneck_sweep_rejects_a_fraction_that_is_not_positive():
    with pytest.raises(ValueError, match="fractions"):
        ex.bottleneck_sweep(dims=(16,), fractions=(0.0, 0.5))


def test_conjunction_scorer_rewards_only_features_both_words_have():
    from lessons_lib.attention import additive_scores
    scorer = ex.conjunction_scorer(2, gain=2.0)
    scores = additive_scores([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], **scorer)[0]
    assert scores[0] == pytest.approx(2 * np.tanh(2) - np.tanh(4))
    np.testing.assert_allclose(scores[1:], 0.0, atol=1e-12)
