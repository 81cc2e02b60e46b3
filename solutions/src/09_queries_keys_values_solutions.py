# %% [markdown]
# # Solutions · 09 Towards queries, keys and values
#
# Worked solutions for the exercises of [lesson 09](../notebooks/09_queries_keys_values.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The word vectors are the course's **hand-built teaching vectors**, and the
# projections are the lesson's hand-built ones, not learned matrices.

# %% [markdown]
# ## Set-up, as in the lesson

# %%
import numpy as np

from lessons_lib import qkv
from lessons_lib.attention import causal_mask
from lessons_lib.checks.beyond import check_causal_mask, check_scaled_scores, check_score_spread
from lessons_lib.plots import heatmap_table
from lessons_lib.vocab import RIVER_SENTENCE, WORDS

projections = qkv.hand_projections()

# %% [markdown]
# ## 1. Scaled scores
#
# Three steps, as for the bank sentence in section 1:
#
# 1. project the 8 river vectors (6 numbers each) into queries and keys (3 numbers each):
#    two matrices of shape (8, 3);
# 2. entry (i, j) must be query *i* · key *j*. A matrix product pairs the rows of the left
#    factor with the columns of the right one, so the keys have to become columns:
#    `queries @ keys.T` has shape (8, 3) @ (3, 8) = (8, 8), one score for every pair.
#    (`queries.T @ keys` would be (3, 8) @ (8, 3) = (3, 3): sums over tokens, not scores.)
# 3. divide by √3, the square root of the head size `keys.shape[1]`.

# %%
river_vectors = WORDS.vectors(RIVER_SENTENCE)
queries, keys, values = qkv.project(river_vectors, projections["query"], projections["key"], projections["value"])
print("queries", queries.shape, "keys", keys.shape)
river_scores = queries @ keys.T / np.sqrt(keys.shape[1])
tokens, _ = WORDS.encode(RIVER_SENTENCE)
print(heatmap_table(river_scores, tokens))

# %% [markdown]
# The lesson's `qkv_attention` computes the same scores in one call (staged equivalence),
# and the table reads as expected: "fished", "river" and "bank" share the water topic and
# score each other highly, "by" has a small water query and key of its own, and "we",
# "the" and "of" ask for nothing and offer nothing, so their rows and columns are 0.

# %%
print("same as qkv_attention:", np.allclose(river_scores, qkv.qkv_attention(RIVER_SENTENCE, projections)["scores"]))
check_scaled_scores(river_scores)

# %% [markdown]
# ## 2. The spread of a random score
#
# $q \cdot k = \sum_{i=1}^{256} q_i k_i$. Work out one term first. With $q_i$ and $k_i$
# independent, mean 0 and variance 1:
#
# - its mean is $E[q_i]\,E[k_i] = 0$;
# - its variance is $E[q_i^2 k_i^2] - 0^2 = E[q_i^2]\,E[k_i^2] = 1 \cdot 1 = 1$.
#
# The 256 terms are independent, and variances of independent terms add: the variance of
# $q \cdot k$ is 256. The spread (standard deviation) is the square root, √256 = **16**, or
# √d in general. The exact answer needs no simulation.

# %%
score_spread = np.sqrt(256)
print("exact spread:", score_spread)

# %% [markdown]
# A larger seeded simulation than the lesson's table lands close to it; the table's 16.03
# (from 200 draws) is an estimate of the same number:

# %%
rng = np.random.default_rng(seed=0)
q, k = rng.standard_normal((2, 10_000, 256))
print(f"simulated spread over 10,000 draws: {(q * k).sum(axis=1).std():.2f}")
check_score_spread(score_spread)

# %% [markdown]
# The usual slip is to stop at the variance, 256, and forget the square root. The check
# also rejects the table's 16.03: it wants the exact value, not an estimate.

# %%
check_score_spread(256)

# %% [markdown]
# ## 3. Build a causal mask
#
# Token *i* (row) may look at token *j* (column) when *j ≤ i*: itself and everything
# before it. Broadcasting compares a column of row numbers with a row of column numbers
# and gives the whole (5, 5) table of `True`/`False` at once. It is the lower triangle,
# diagonal included, so `np.tril` of a matrix of ones gives the same table.

# %%
rows = np.arange(5)[:, None]
columns = np.arange(5)[None, :]
my_mask = columns <= rows
print(my_mask.astype(int))
print("same as np.tril:", np.array_equal(my_mask, np.tril(np.ones((5, 5), dtype=bool))))
print("same as the lesson's causal_mask:", np.array_equal(my_mask, causal_mask(5)))
check_causal_mask(my_mask)

# %% [markdown]
# The mirror image, `columns >= rows` (the upper triangle), would let every token see the
# future and not the past, the opposite of what a decoder needs:

# %%
check_causal_mask(columns >= rows)
