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

asking = qkv.hand_projections(verbs_ask=True)

# %% [markdown]
# ## 1. Scaled scores when query and key differ
#
# Three steps, as for the bank sentence in section 1, with the verbs-ask projections:
#
# 1. project the 8 river vectors (6 numbers each) into queries and keys (3 numbers each):
#    two matrices of shape (8, 3), which now differ;
# 2. entry (i, j) must be query *i* · key *j*. A matrix product pairs the rows of the left
#    factor with the columns of the right one, so the queries supply the rows and the keys
#    have to become columns: `queries @ keys.T` has shape (8, 3) @ (3, 8) = (8, 8).
#    (`queries.T @ keys` would be (3, 8) @ (8, 3) = (3, 3): sums over tokens, not scores.)
# 3. divide by √3, the square root of the head size `keys.shape[1]`.

# %%
river_vectors = WORDS.vectors(RIVER_SENTENCE)
queries, keys, values = qkv.project(river_vectors, asking["query"], asking["key"], asking["value"])
print("queries", queries.shape, "keys", keys.shape, " equal:", np.allclose(queries, keys))
river_scores = queries @ keys.T / np.sqrt(keys.shape[1])
tokens, _ = WORDS.encode(RIVER_SENTENCE)
print(heatmap_table(river_scores, tokens))

# %% [markdown]
# The lesson's `qkv_attention` computes the same scores in one call (staged equivalence).
# Read the table by rows: "fished" asks about water (its topic) and, being a verb, about
# money and water again, so it scores "bank" 3.90, while "bank", which asks only about its
# own topics, scores "fished" 2.34. "we", "the" and "of" ask for nothing and offer nothing,
# so their rows and columns are 0.

# %%
fished, bank = tokens.index("fished"), tokens.index("bank")
print(f"fished → bank {river_scores[fished, bank]:.2f}, bank → fished {river_scores[bank, fished]:.2f}")
print("same as qkv_attention:", np.allclose(river_scores, qkv.qkv_attention(RIVER_SENTENCE, asking)["scores"]))
check_scaled_scores(river_scores)

# %% [markdown]
# Swapping the roles, `keys @ queries.T`, gives the same table flipped over its diagonal:
# it scores what each token *offers* against what the others *look for*. With equal query
# and key matrices the two would coincide; here the check catches it:

# %%
check_scaled_scores(keys @ queries.T / np.sqrt(keys.shape[1]))

# %% [markdown]
# ## 2. When the coordinates are not of spread 1
#
# $q \cdot k = \sum_{i=1}^{64} q_i k_i$. Work out one term first. With $q_i$ and $k_i$
# independent, mean 0 and standard deviation 2 (variance 4):
#
# - its mean is $E[q_i]\,E[k_i] = 0$;
# - its variance is $E[q_i^2 k_i^2] - 0^2 = E[q_i^2]\,E[k_i^2] = 4 \cdot 4 = 16$.
#
# The 64 terms are independent, and variances of independent terms add: the variance of
# $q \cdot k$ is 64 × 16 = 1024. The spread (standard deviation) is its square root,
# √1024 = **32**. In general it is σ_q σ_k √d, which is section 2's √d when σ_q = σ_k = 1.

# %%
score_spread = 2 * 2 * np.sqrt(64)
print("exact spread:", score_spread)

# %% [markdown]
# A seeded simulation lands close to it (an estimate, not the exact value):

# %%
rng = np.random.default_rng(seed=0)
q, k = rng.normal(0.0, 2.0, size=(2, 10_000, 64))
print(f"simulated spread over 10,000 draws: {(q * k).sum(axis=1).std():.2f}")
check_score_spread(score_spread)

# %% [markdown]
# So dividing by √64 = 8 is **not** enough: it leaves a spread of 32 / 8 = 4, and the
# softmax still saturates. The √d rule assumes coordinates of spread about 1; larger
# coordinates need a larger divisor, or smaller vectors.
# The usual slips: copying √d = 8 from section 2, counting the factor 2 of only one vector
# (16), or stopping at the variance (1024):

# %%
for slip in (8, 16, 1024):
    check_score_spread(slip)

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
