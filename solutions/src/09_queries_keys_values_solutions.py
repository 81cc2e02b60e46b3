# %% [markdown]
# # Solutions · 09 Towards queries, keys and values
#
# Worked solutions for the exercises of [lesson 09](../notebooks/09_queries_keys_values.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The projections are the lesson's hand-built ones.

# %%
import numpy as np

from lessons_lib import qkv
from lessons_lib.checks.beyond import check_causal_mask, check_scaled_scores, check_score_spread
from lessons_lib.vocab import RIVER_SENTENCE, WORDS

projections = qkv.hand_projections()

# %% [markdown]
# ## 1. Scaled scores
#
# Project every token into a query and a key (3 numbers each), then every query · key,
# divided by √3.

# %%
river_vectors = WORDS.vectors(RIVER_SENTENCE)
q, k, v = qkv.project(river_vectors, projections["query"], projections["key"], projections["value"])
river_scores = q @ k.T / np.sqrt(3)
print("shape:", river_scores.shape)
check_scaled_scores(river_scores)

# %% [markdown]
# ## 2. The spread of a random score
#
# $q \cdot k$ is a sum of 256 independent products $q_i k_i$, each with mean 0 and
# variance 1. Variances add, so the variance is 256 and the standard deviation √256 = 16.
# A quick simulation agrees:

# %%
rng = np.random.default_rng(seed=0)
samples = (rng.standard_normal((20_000, 256)) * rng.standard_normal((20_000, 256))).sum(axis=1)
print(f"simulated spread: {samples.std():.1f}")
score_spread = np.sqrt(256)
check_score_spread(score_spread)

# %% [markdown]
# ## 3. Build a causal mask
#
# Token *i* may look at token *j* when *j ≤ i*: the lower triangle, diagonal included.

# %%
my_mask = np.tril(np.ones((5, 5), dtype=bool))
print(my_mask.astype(int))
check_causal_mask(my_mask)
