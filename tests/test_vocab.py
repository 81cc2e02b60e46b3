"""The hand-built toy vocabulary and the tokenizer."""
import numpy as np
import pytest

from lessons_lib import WORDS, UnknownWordError, Vocabulary, tokenize
from lessons_lib.vocab import BANK_HAND_WEIGHTS, BANK_SENTENCE, DIMENSIONS, RIVER_SENTENCE, hand_weights

# --- tokenize ----------------------------------------------------------------------


def test_tokenize_lower_cases_words_and_drops_punctuation():
    assert tokenize("I went to the Bank, to deposit money!") == [
        "i", "went", "to", "the", "bank", "to", "deposit", "money",
    ]


def test_tokenize_keeps_a_contraction_as_one_word():
    assert tokenize("The trophy wouldn't fit.") == ["the", "trophy", "wouldn't", "fit"]


def test_tokenize_reads_a_curly_apostrophe_as_a_straight_one():
    assert tokenize("It wouldn\u2019t fit") == ["it", "wouldn't", "fit"]


def test_tokenize_drops_digits_and_underscores():
    assert tokenize("bank_2 of 3 rivers") == ["bank", "of", "rivers"]


def test_tokenize_accepts_a_list_of_words_and_lower_cases_it():
    assert tokenize(["The", "BANK"]) == ["the", "bank"]


@pytest.mark.parametrize("sentence", ["", "  ...!  ", [], "42"], ids=["empty", "punctuation", "empty-list", "digits"])
def test_tokenize_rejects_a_sentence_without_words(sentence):
    with pytest.raises(ValueError, match="sentence must contain at least one word"):
        tokenize(sentence)


@pytest.mark.parametrize("sentence", [None, 3.5])
def test_tokenize_rejects_something_that_is_not_text(sentence):
    with pytest.raises(TypeError, match="sentence must be a string or a list of words"):
        tokenize(sentence)


# --- the vocabulary ------------------------------------------------------------------


def test_an_unknown_word_raises_unknown_word_error_listing_close_words():
    with pytest.raises(UnknownWordError, match="unknown word 'bnak'; closest known words: bank"):
        WORDS.vector("bnak")


def test_unknown_word_error_is_a_key_error_with_an_unquoted_message():
    with pytest.raises(KeyError) as info:
        WORDS.vectors("I went to the zoo")
    assert str(info.value).startswith("unknown word 'zoo'")


def test_an_unknown_word_with_no_close_match_says_so():
    with pytest.raises(UnknownWordError, match="no known word is close"):
        WORDS.vector("xylophone")


def test_vector_rejects_a_word_that_is_not_a_string():
    with pytest.raises(TypeError, match="word must be a string"):
        WORDS.vector(3)


def test_vector_ignores_case_and_returns_a_float_copy():
    vector = WORDS.vector("Money")
    assert vector.dtype == np.float64 and vector.shape == (len(DIMENSIONS),)
    vector[0] = 99.0
    assert WORDS.vector("money")[0] == 1.0


def test_vectors_has_one_row_per_token_and_one_column_per_dimension():
    assert WORDS.vectors(BANK_SENTENCE).shape == (8, 6)
    assert WORDS.vectors(RIVER_SENTENCE).shape == (8, 6)


def test_encode_returns_the_tokens_and_their_vectors():
    tokens, vectors = WORDS.encode("the bank")
    assert tokens == ["the", "bank"]
    np.testing.assert_array_equal(vectors, [WORDS.vector("the"), WORDS.vector("bank")])


def test_dimensions_are_named_and_findable_by_name():
    assert WORDS.dimensions == ("finance", "nature", "motion", "function", "object", "container")
    assert WORDS.axis("nature") == 1
    assert WORDS.vector("river")[WORDS.axis("nature")] == 1.0
    assert WORDS.vector("money")[WORDS.axis("finance")] == 1.0


def test_axis_rejects_an_unknown_dimension_listing_the_names():
    with pytest.raises(KeyError, match="name must be one of finance, nature"):
        WORDS.axis("colour")


def test_membership_ignores_case_and_non_strings():
    assert "Bank" in WORDS and "zoo" not in WORDS and 3 not in WORDS


def test_words_are_sorted_and_cover_every_example_sentence():
    assert WORDS.words == sorted(WORDS.words)
    sentences = [BANK_SENTENCE, RIVER_SENTENCE, "I deposited money at the bank",
                 "The trophy wouldn't fit in the suitcase because it was too big"]
    for sentence in sentences:
        assert all(token in WORDS for token in tokenize(sentence)), sentence


def test_the_two_senses_of_bank_point_to_finance_and_nature():
    finance, nature = WORDS.axis("finance"), WORDS.axis("nature")
    assert WORDS.vector("bank")[finance] == WORDS.vector("bank")[nature] > 0
    assert WORDS.vector("deposit")[finance] > WORDS.vector("deposit")[nature]
    assert WORDS.vector("river")[nature] > WORDS.vector("river")[finance]


def test_vocabulary_rejects_an_entry_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"entries\['bank'\] must have 2 numbers, got 3"):
        Vocabulary(("a", "b"), {"bank": (1.0, 0.0, 0.0)})


def test_closest_suggests_known_words_spelled_alike():
    assert WORDS.closest("monye")[0] == "money"
    assert WORDS.closest("BNAK")[0] == "bank"


# --- hand_weights --------------------------------------------------------------------


def test_hand_weights_for_the_bank_sentence_match_the_lesson_and_sum_to_one():
    tokens = tokenize(BANK_SENTENCE)
    weights = hand_weights(tokens, BANK_HAND_WEIGHTS, 0.20)
    np.testing.assert_allclose(weights, [0.04, 0.04, 0.04, 0.04, 0.15, 0.04, 0.35, 0.30])
    assert np.isclose(weights.sum(), 1.0)


def test_hand_weights_give_a_repeated_word_its_share_each_time():
    weights = hand_weights(["to", "bank", "to"], {"bank": 0.5}, 0.5)
    np.testing.assert_allclose(weights, [0.25, 0.5, 0.25])


def test_hand_weights_reject_a_chosen_word_not_in_the_tokens():
    with pytest.raises(KeyError, match="chosen names words not in tokens: river"):
        hand_weights(tokenize(BANK_SENTENCE), {"river": 0.5, "bank": 0.3}, 0.2)


def test_hand_weights_reject_a_rest_share_when_every_token_is_chosen():
    with pytest.raises(ValueError, match="rest must be 0"):
        hand_weights(["bank", "money"], {"bank": 0.5, "money": 0.3}, 0.2)


def test_the_hand_weighted_blend_of_bank_leans_towards_finance():
    tokens, vectors = WORDS.encode(BANK_SENTENCE)
    blended = hand_weights(tokens, BANK_HAND_WEIGHTS, 0.20) @ vectors
    assert blended[WORDS.axis("finance")] > blended[WORDS.axis("nature")] + 0.4


def test_hand_weights_refuses_choices_that_do_not_sum_to_one_over_repeated_words():
    tokens = tokenize(RIVER_SENTENCE)  # "the" appears twice
    with pytest.raises(ValueError, match="add up to 1"):
        hand_weights(tokens, {"the": 0.4, "river": 0.4}, 0.2)


def test_axis_is_case_insensitive_and_unknown_names_list_the_dimensions():
    assert WORDS.axis("Finance") == 0
    with pytest.raises(KeyError) as info:
        WORDS.axis("money")
    assert str(info.value).startswith("name must be one of finance, nature")
