"""The worked examples of lessons 04-06: bank, trophy, translation, bottleneck.

Every vector here is hand-built for teaching (the English ones come from
:data:`lessons_lib.vocab.WORDS`, the French/English pairs from
:data:`BILINGUAL`). They show the *mechanism* of attention; they say nothing
about what a trained model learns. The bottleneck measurement uses seeded
random vectors instead, so its curve does not depend on anything hand-tuned.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_float_array, as_positive, as_vector
from .attention import _softmax, attention_weights
from .plots import text_table
from .vocab import BANK_SENTENCE, WORDS, Vocabulary, tokenize

# --- lesson 04: one word, two meanings ------------------------------------------
MONEY_SENTENCE = "I deposited money at the bank."
FISHING_SENTENCE = "We fished by the bank of the river."
BANK_EXAMPLES = {"money": MONEY_SENTENCE, "river": FISHING_SENTENCE, "lesson 01": BANK_SENTENCE}
"""The lesson's sentences, by a short name."""

SENSE_MARGIN = 0.02
"""How far finance and nature must differ before a sense is called."""

BANK_TEMPERATURE = 0.2
"""Softmax temperature for lesson 04 (scores x 5).

Dot products of the small toy vectors lie between 0 and about 0.5, so at
temperature 1 softmax barely separates a relevant word (e^0.5) from a function
word (e^0); the bank row comes out nearly flat. Lessons 04-05 sharpen by the
same factor and say so.
"""


def self_attention_matrix(
    sentence: str | Iterable[str], vocab: Vocabulary = WORDS, *, temperature: float = BANK_TEMPERATURE
) -> tuple[list[str], np.ndarray]:
    """Tokens and the (n, n) weights softmax(x @ x.T / temperature) of lesson 03, row by row."""
    t = as_positive(temperature, "temperature")
    tokens, vectors = vocab.encode(sentence)
    return tokens, _softmax(vectors @ vectors.T, axis=1, temperature=t)


def focus_blend(
    sentence: str | Iterable[str], focus: str = "bank", vocab: Vocabulary = WORDS,
    *, temperature: float = BANK_TEMPERATURE,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The weights of one word (its first occurrence) and its blended vector.

    Returns
    -------
    tokens, weights (n,) of ``focus`` over the tokens, blended (d,) vector
    """
    t = as_positive(temperature, "temperature")
    tokens, vectors = vocab.encode(sentence)
    if not isinstance(focus, str) or focus.lower() not in tokens:
        raise ValueError(f"focus must be a word of the sentence, got {focus!r} (tokens: {' '.join(tokens)})")
    weights = _softmax(vectors @ vectors[tokens.index(focus.lower())], temperature=t)
    return tokens, weights, weights @ vectors


def bank_sense(vector: ArrayLike, vocab: Vocabulary = WORDS) -> str:
    """'finance', 'nature' or 'undecided': which side of finance = nature a vector lies on."""
    v = as_vector(vector, "vector", size=len(vocab.dimensions))
    lead = v[vocab.axis("finance")] - v[vocab.axis("nature")]
    if abs(lead) <= SENSE_MARGIN:
        return "undecided"
    return "finance" if lead > 0 else "nature"


MAX_WORDS = 16
"""Longest sentence the bank explorer accepts (its bars stay readable)."""


def close_words(word: str, count: int = 3) -> list[str]:
    """Known words spelled like ``word``: the best match and any nearly as good.

    Looser matches are dropped, so "monney" suggests "money" and not "on", "my".
    """
    if not isinstance(word, str):
        raise ValueError(f"word must be a string, got {type(word).__name__}")
    scored = [(difflib.SequenceMatcher(None, word.lower(), known).ratio(), known) for known in WORDS.words]
    best = max((r for r, _ in scored), default=0.0)
    keep = sorted(((r, k) for r, k in scored if r >= max(0.6, best - 0.15)), key=lambda rk: (-rk[0], rk[1]))
    return [k for _, k in keep[:count]]


def sentence_problem(sentence: str, focus: str = "bank") -> str:
    """A friendly explanation of why ``sentence`` cannot be used, or "" if it can."""
    try:
        tokens = tokenize(sentence)
    except (TypeError, ValueError):
        return "Type a sentence first (words from the toy vocabulary)."
    unknown = list(dict.fromkeys(t for t in tokens if t not in WORDS))
    if unknown:
        parts = []
        for word in unknown:
            near = close_words(word)
            parts.append(f"'{word}' (close words I know: {', '.join(near)})" if near else f"'{word}' (no known word is close)")
        return "I don't know " + "; ".join(parts) + "."
    if focus not in tokens:
        return f"Your sentence needs the word '{focus}', so there is something to watch."
    if len(tokens) > MAX_WORDS:
        return f"Please use at most {MAX_WORDS} words (you typed {len(tokens)})."
    return ""


# --- lesson 05: the trophy and the suitcase -------------------------------------
TROPHY_SENTENCE = "The trophy wouldn't fit in the suitcase because it was too big."
ROLE_SWAP_SENTENCE = "The suitcase wouldn't fit in the trophy because it was too big."
"""Lesson 05's control sentence: the roles of trophy and suitcase swapped."""
FILLERS = ("frankly", "honestly", "really", "truly", "clearly", "sadly", "simply", "surely")
"""Adverbs that can stand almost anywhere: used to push "trophy" and "it" apart."""
TROPHY_TEMPERATURE = 0.2
"""Softmax temperature for lesson 05 (scores x 5): toy vectors are small, so we sharpen."""


def trophy_tokens(adjective: str = "big", *, between: int = 0, fillers: int = 0) -> list[str]:
    """The trophy sentence with ``fillers`` adverbs, ``between`` of them after "because".

    The other ``fillers - between`` adverbs open the sentence, so every version
    has the same words and only the distance from "trophy" to "it" changes.
    """
    if adjective not in ("big", "small"):
        raise ValueError(f"adjective must be 'big' or 'small', got {adjective!r}")
    for name, value in (("fillers", fillers), ("between", between)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    if between > fillers:
        raise ValueError(f"between must be at most fillers ({fillers}), got {between}")
    pool = [FILLERS[k % len(FILLERS)] for k in range(fillers)]
    start, middle = pool[: fillers - between], pool[fillers - between:]
    words = tokenize(TROPHY_SENTENCE.replace("big", adjective))
    cut = words.index("because") + 1
    return start + words[:cut] + middle + words[cut:]


def it_query(tokens: Sequence[str], vocab: Vocabulary = WORDS) -> np.ndarray:
    """First try (word features): the vector of "it" plus its predicate's adjective.

    The predicate is the word after the first "too" that follows "it" ("too
    big" adds *big*'s object feature, "too small" *small*'s container
    feature). With no such word the query is the vector of "it" alone. This
    is a shortcut: it finds the most object-like (or container-like) *word*,
    whatever its role in the sentence (see :func:`role_attention`).
    """
    words = [str(t).lower() for t in tokens]
    if "it" not in words:
        raise ValueError(f"tokens must contain 'it', got {' '.join(words)}")
    here = words.index("it")
    query = vocab.vector("it")
    after = words[here + 1:]
    if "too" in after and after.index("too") + 1 < len(after):
        query = query + vocab.vector(after[after.index("too") + 1])
    return query


def coreference_attention(
    sentence: str | Iterable[str], *, temperature: float = TROPHY_TEMPERATURE, vocab: Vocabulary = WORDS
) -> tuple[list[str], np.ndarray, int]:
    """Word-feature toy: self-attention where "it" asks with :func:`it_query`.

    Every other token's query is its own vector; keys are the word vectors.

    Returns
    -------
    tokens, weights (n, n) with rows summing to 1, index of "it"
    """
    t = as_positive(temperature, "temperature")
    tokens, vectors = vocab.encode(sentence)
    if "it" not in tokens:
        raise ValueError(f"sentence must contain 'it', got {' '.join(tokens)}")
    here = tokens.index("it")
    queries = vectors.copy()
    queries[here] = it_query(tokens, vocab)
    return tokens, attention_weights(queries, vectors, temperature=t), here


ROLE_DIMENSIONS = ("goes in", "holds")
"""Two role features added to the keys: the thing that goes in, the thing that holds it."""
ROLE_REQUEST = {"big": (1.0, 0.0), "small": (0.0, 1.0)}
"""What "too big" / "too small" asks for: the thing that goes in / the thing that holds."""
THING_LEVEL = 0.8
"""A word counts as a thing (a noun that can go in or hold) when object or container >= this."""


def fit_roles(tokens: Sequence[str], vocab: Vocabulary = WORDS) -> list[str]:
    """The role of each token in "X wouldn't fit in Y": "goes in", "holds" or "".

    A hand-written rule, not learned: the nearest thing-word (object or
    container feature >= :data:`THING_LEVEL`) before "fit" goes in, the
    nearest one after "fit" holds. Without "fit" nobody has a role.
    """
    tokens = tokenize(tokens)
    vectors = vocab.vectors(tokens)
    thing = vectors[:, [vocab.axis("object"), vocab.axis("container")]].max(axis=1) >= THING_LEVEL
    roles = [""] * len(tokens)
    if "fit" in tokens:
        here = tokens.index("fit")
        before = [k for k in range(here) if thing[k]]
        after = [k for k in range(here + 1, len(tokens)) if thing[k]]
        if before:
            roles[before[-1]] = ROLE_DIMENSIONS[0]
        if after:
            roles[after[0]] = ROLE_DIMENSIONS[1]
    return roles


def role_keys(tokens: Sequence[str], vocab: Vocabulary = WORDS) -> np.ndarray:
    """(n, d + 2) keys: each word vector followed by its two role features (0 or 1)."""
    roles = fit_roles(tokens, vocab)
    marks = np.array([[role == name for name in ROLE_DIMENSIONS] for role in roles], dtype=float)
    return np.hstack([vocab.vectors(tokens), marks])


def role_query(tokens: Sequence[str], vocab: Vocabulary = WORDS) -> np.ndarray:
    """(d + 2,) query of "it": its own vector, then the role "too big/small" asks for.

    "too big" asks for the thing that goes in (1, 0), "too small" for the
    thing that holds (0, 1); any other predicate asks for no role (0, 0).
    """
    words = tokenize(tokens)
    if "it" not in words:
        raise ValueError(f"tokens must contain 'it', got {' '.join(words)}")
    after = words[words.index("it") + 1:]
    adjective = after[after.index("too") + 1] if "too" in after[:-1] else ""
    return np.concatenate([vocab.vector("it"), ROLE_REQUEST.get(adjective, (0.0, 0.0))])


def role_attention(
    sentence: str | Iterable[str], *, temperature: float = TROPHY_TEMPERATURE, vocab: Vocabulary = WORDS
) -> tuple[list[str], np.ndarray, int]:
    """Role toy: "it" asks with :func:`role_query`, every key is :func:`role_keys`.

    Every other token asks with its own vector (its role features 0), so
    only the row of "it" differs from lesson-03 attention.

    Returns
    -------
    tokens, weights (n, n) with rows summing to 1, index of "it"
    """
    t = as_positive(temperature, "temperature")
    tokens = tokenize(sentence)
    if "it" not in tokens:
        raise ValueError(f"sentence must contain 'it', got {' '.join(tokens)}")
    keys = role_keys(tokens, vocab)
    queries = np.hstack([vocab.vectors(tokens), np.zeros((len(tokens), len(ROLE_DIMENSIONS)))])
    here = tokens.index("it")
    queries[here] = role_query(tokens, vocab)
    return tokens, attention_weights(queries, keys, temperature=t), here


MODELS = {"words": coreference_attention, "roles": role_attention}
"""The two toys of lesson 05, by name."""


def _model(model: str):
    if model not in MODELS:
        raise ValueError(f"model must be 'words' or 'roles', got {model!r}")
    return MODELS[model]


def it_weights(
    adjective: str = "big", *, between: int = 0, fillers: int = 0, model: str = "roles"
) -> tuple[list[str], np.ndarray]:
    """Tokens of a trophy sentence and the weights of "it" over them (role toy by default)."""
    tokens, weights, here = _model(model)(trophy_tokens(adjective, between=between, fillers=fillers))
    return tokens, weights[here]


def referent_answer(sentence: str | Iterable[str]) -> str:
    """What a person answers: "too big" -> the thing that goes in, "too small" -> the holder.

    Raises ValueError when the sentence has no "X wouldn't fit in Y ... it
    was too big/small" to answer from.
    """
    tokens = tokenize(sentence)
    roles = fit_roles(tokens)
    request = role_query(tokens)[len(WORDS.dimensions):] if "it" in tokens else np.zeros(2)
    if not request.any() or not all(name in roles for name in ROLE_DIMENSIONS):
        raise ValueError("sentence must read like 'The X wouldn't fit in the Y because it was too big' "
                         f"(with two things and 'too big' or 'too small'), got {' '.join(tokens)!r}")
    return tokens[roles.index(ROLE_DIMENSIONS[int(np.argmax(request))])]


def referent_table(sentences: Sequence[str], *, digits: int = 2) -> str:
    """Per sentence: the answer a person gives and the word each toy's "it" weights most."""
    body = []
    for sentence in sentences:
        answer = referent_answer(sentence)
        row = [" ".join(tokenize(sentence)[:7]) + " … too " + tokenize(sentence)[-1], answer]
        for model in ("words", "roles"):
            tokens, weights, here = MODELS[model](sentence)
            top = int(np.argmax(weights[here]))
            mark = "" if tokens[top] == answer else "  ✗"
            row.append(f"{tokens[top]} {weights[here, top]:.{digits}f}{mark}")
        body.append(row)
    return text_table(["sentence", "answer", "toy 1 (words)", "toy 2 (roles)"], body)


# --- lesson 06: translation as a spotlight ----------------------------------------
BILINGUAL_DIMENSIONS = ("article", "animal", "colour", "sleep", "position", "furniture")

# Hand-built so that a word and its translation share features, as a trained
# translation model's shared space would; the small cross-terms make it less tidy.
_BILINGUAL: dict[str, tuple[float, ...]] = {
    # French
    "le": (1.0, 0, 0, 0, 0, 0),
    "la": (1.0, 0, 0, 0, 0, 0),
    "chat": (0, 1.0, 0, 0.2, 0, 0),
    "noir": (0, 0, 1.0, 0, 0, 0),
    "dort": (0, 0.2, 0, 1.0, 0, 0),
    "sur": (0, 0, 0, 0, 1.0, 0.3),
    "canapé": (0, 0, 0, 0.2, 0.1, 1.0),
    "chaise": (0, 0, 0, 0, 0.1, 0.9),
    # English
    "the": (1.0, 0, 0, 0, 0, 0),
    "cat": (0, 1.0, 0, 0.1, 0, 0),
    "black": (0, 0, 1.0, 0, 0, 0),
    "sleeps": (0, 0.3, 0, 1.0, 0, 0),
    "on": (0, 0, 0, 0, 1.0, 0.2),
    "couch": (0, 0, 0, 0.3, 0.1, 1.0),
    "chair": (0, 0, 0, 0, 0.1, 0.9),
}

BILINGUAL = Vocabulary(BILINGUAL_DIMENSIONS, _BILINGUAL)
"""Hand-built French and English toy vectors in one shared space (not learned)."""

FRENCH_SENTENCE = "Le chat noir dort sur le canapé."
ENGLISH_SENTENCE = "The black cat sleeps on the couch."
TRANSLATION_TEMPERATURE = 0.25
"""Softmax temperature of the bilingual toy (lessons 06-07): hand-picked, like lesson 04's 0.2,
so that small hand-built vectors give readable weights (not the sqrt(d) of lesson 09)."""


def cross_attention(
    target: str | Iterable[str] = ENGLISH_SENTENCE,
    source: str | Iterable[str] = FRENCH_SENTENCE,
    *,
    temperature: float = TRANSLATION_TEMPERATURE,
    vocab: Vocabulary = BILINGUAL,
) -> tuple[list[str], list[str], np.ndarray]:
    """Weights from every target word (query) to every source word (key).

    Returns
    -------
    target tokens, source tokens, weights (n_target, n_source), rows summing to 1
    """
    t = as_positive(temperature, "temperature")
    target_tokens, queries = vocab.encode(target)
    source_tokens, keys = vocab.encode(source)
    return target_tokens, source_tokens, attention_weights(queries, keys, temperature=t)


def conjunction_scorer(dim: int, *, gain: float = 2.0) -> dict[str, np.ndarray]:
    """Hand-built parameters of an additive scorer that rewards features both words share.

    Three hidden units per feature k: tanh(g·q_k), tanh(g·h_k) and tanh(g·(q_k + h_k)),
    weighed +1, +1 and -1. Their sum is 0 when either word lacks the feature and
    about 0.93 (g = 2) when both have it fully: a soft "and", built from a tanh
    layer without biases. Returns the ``w_query``, ``w_key`` and ``v`` of
    :func:`lessons_lib.attention.additive_scores` (hidden size ``3 * dim``).
    """
    d = _as_count(dim, "dim")
    g = as_positive(gain, "gain")
    eye, zero = np.eye(d), np.zeros((d, d))
    w_query = g * np.hstack([eye, zero, eye])
    w_key = g * np.hstack([zero, eye, eye])
    v = np.concatenate([np.ones(d), np.ones(d), -np.ones(d)])
    return {"w_query": w_query, "w_key": w_key, "v": v}


# --- lesson 06: the bottleneck, measured -------------------------------------------
BOTTLENECK_LENGTHS = (2, 4, 6, 8, 12, 16, 24, 32, 48, 64)


@dataclass(frozen=True)
class BottleneckResult:
    """Recovery accuracy per sentence length for the two ways of reading the input."""

    lengths: np.ndarray
    mean_accuracy: np.ndarray
    attention_accuracy: np.ndarray
    chance: float
    dim: int
    trials: int
    wanted_weight: np.ndarray
    """Mean attention weight on the wanted token, per length (how much the blend leaks)."""


def bottleneck_measurement(
    lengths: Sequence[int] = BOTTLENECK_LENGTHS,
    *,
    dim: int = 64,
    vocab_size: int = 512,
    trials: int = 300,
    seed: int = 0,
) -> BottleneckResult:
    """Recover the word at a chosen position from a mean summary or an attention blend.

    Each token is its random word vector with the signs flipped by a random
    +-1 code of its position (multiplying by the code again undoes it). Both
    readers unscramble with the wanted position's code and pick the nearest
    vocabulary word. (a) reads the mean of all tokens; (b) reads the blend with
    softmax weights of position-code dot products (query: the wanted position).
    The keys are pure position codes and the query is given, so (b) is built
    to succeed: ``wanted_weight`` records how much weight it puts on the
    wanted token. The mean stands in for the fixed summary of early
    sequence-to-sequence models (theirs was an RNN's final state, a cleverer
    summary): what (a) measures is the capacity of a mean of random codes read
    by a matched filter, about ``dim / 8`` words at 50 % (see
    :func:`bottleneck_sweep`), not the limit of a trained network.
    """
    sizes = _as_lengths(lengths, vocab_size)
    dim, trials = _as_count(dim, "dim"), _as_count(trials, "trials")
    rng = np.random.default_rng(seed)
    words = rng.standard_normal((vocab_size, dim))
    words /= np.linalg.norm(words, axis=1, keepdims=True)
    codes = rng.choice([-1.0, 1.0], size=(int(sizes.max()), dim))
    mean_acc, attn_acc, wanted_weight = [], [], []
    for n in sizes:
        ids = rng.random((trials, vocab_size)).argsort(axis=1)[:, :n]  # n different words
        wanted = rng.integers(0, n, trials)
        query = codes[wanted]                                       # (trials, dim)
        weights = _softmax(query @ codes[:n].T / np.sqrt(dim))      # (trials, n)
        truth = ids[np.arange(trials), wanted]
        wanted_weight.append(float(weights[np.arange(trials), wanted].mean()))
        hits = np.zeros(2, dtype=int)
        block = max(1, _BLOCK_NUMBERS // (n * dim))  # trials per block: bounded memory, same numbers
        for start in range(0, trials, block):
            rows = slice(start, start + block)
            hits += _bottleneck_hits(words, codes[:n], ids[rows], query[rows], weights[rows], truth[rows])
        mean_acc.append(hits[0] / trials)
        attn_acc.append(hits[1] / trials)
    return BottleneckResult(sizes, np.array(mean_acc), np.array(attn_acc), 1 / vocab_size, dim, trials,
                            wanted_weight=np.array(wanted_weight))


_BLOCK_NUMBERS = 2**17
"""Numbers in one block of tokens (trials, n, dim): 1 MiB of float64, whatever the sizes."""


def _bottleneck_hits(words: np.ndarray, codes: np.ndarray, ids: np.ndarray, query: np.ndarray,
                     weights: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """How many of a block of trials the mean reader and the attention reader get right.

    Each trial (row) is computed on its own, so splitting the trials into blocks
    changes only the memory used, never a result.
    """
    tokens = words[ids] * codes                                     # (block, n, dim)
    hits = []
    for summary in (tokens.mean(axis=1), np.einsum("tn,tnd->td", weights, tokens)):
        guess = np.argmax((summary * query) @ words.T, axis=1)
        hits.append(np.count_nonzero(guess == truth))
    return np.array(hits)


def _as_count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _as_lengths(lengths: Sequence[int], vocab_size: int) -> np.ndarray:
    vocab_size = _as_count(vocab_size, "vocab_size")
    sizes = as_float_array(lengths, "lengths", ndim=1)
    if (sizes != np.round(sizes)).any() or (sizes < 1).any() or (sizes > vocab_size).any():
        raise ValueError(f"lengths must be whole numbers from 1 to vocab_size ({vocab_size}), got {list(lengths)}")
    return sizes.astype(int)


@dataclass(frozen=True)
class BottleneckSweep:
    """The mean reader's accuracy at lengths that are fixed fractions of the vector size d."""

    dims: np.ndarray
    fractions: np.ndarray
    mean_accuracy: np.ndarray
    """(len(dims), len(fractions)): accuracy at length n = fraction x d."""
    trials: int
    seed: int


def bottleneck_sweep(
    dims: Sequence[int] = (16, 32, 64),
    fractions: Sequence[float] = (1 / 16, 1 / 8, 1 / 4, 1 / 2),
    *,
    trials: int = 300,
    seed: int = 0,
) -> BottleneckSweep:
    """Run :func:`bottleneck_measurement` for several vector sizes d at lengths n = fraction x d.

    If the mean's capacity grows in proportion to d, every row of the result
    reads about the same.
    """
    sizes = [_as_count(d, "dims entry") for d in dims]
    parts = as_float_array(fractions, "fractions", ndim=1)
    if not sizes or (parts <= 0).any():
        raise ValueError(f"dims must be non-empty and fractions > 0, got {list(dims)} and {list(fractions)}")
    table = []
    for d in sizes:
        lengths = [int(n) for n in np.maximum(np.round(parts * d), 1)]
        table.append(bottleneck_measurement(lengths, dim=d, trials=trials, seed=seed).mean_accuracy)
    return BottleneckSweep(np.array(sizes), parts, np.array(table), _as_count(trials, "trials"), seed)


def bottleneck_sweep_table(sweep: BottleneckSweep, *, digits: int = 2) -> str:
    """The sweep as text: one row per d, one column per length n = fraction x d."""
    header = ["d"] + [f"n = d/{round(1 / f)}" if round(1 / f) * f == 1 else f"n = {f:g}·d" for f in sweep.fractions]
    body = [[str(int(d))] + [f"{a:.{digits}f}" for a in row] for d, row in zip(sweep.dims, sweep.mean_accuracy)]
    return text_table(header, body)


def first_length_below(result: BottleneckResult, level: float = 0.5, *, reader: str = "mean") -> int | None:
    """The shortest measured length whose accuracy falls below ``level`` (None if never)."""
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level <= 1:
        raise ValueError(f"level must be an accuracy in (0, 1], got {level!r}")
    if reader not in ("mean", "attention"):
        raise ValueError(f"reader must be 'mean' or 'attention', got {reader!r}")
    accuracy = result.mean_accuracy if reader == "mean" else result.attention_accuracy
    below = np.flatnonzero(accuracy < level)
    return int(result.lengths[below[0]]) if below.size else None


__all__ = [
    "BANK_EXAMPLES", "BANK_TEMPERATURE", "BILINGUAL", "BOTTLENECK_LENGTHS", "BottleneckResult", "BottleneckSweep", "ENGLISH_SENTENCE",
    "FILLERS", "FISHING_SENTENCE", "FRENCH_SENTENCE", "MODELS", "MONEY_SENTENCE", "ROLE_DIMENSIONS", "ROLE_SWAP_SENTENCE", "ROLE_REQUEST",
    "TROPHY_SENTENCE", "bank_sense", "bottleneck_measurement", "bottleneck_sweep", "bottleneck_sweep_table",
    "close_words", "conjunction_scorer", "coreference_attention",
    "cross_attention", "first_length_below", "fit_roles", "focus_blend", "it_query", "it_weights", "referent_answer",
    "referent_table", "role_attention", "role_keys", "role_query", "self_attention_matrix", "sentence_problem",
    "trophy_tokens",
]
