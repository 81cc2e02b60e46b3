# %% [markdown]
# # Solutions · 01 Weighted averages
#
# Worked solutions for the exercises of [lesson 01](../notebooks/01_weighted_averages.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The word vectors are the course's **hand-built teaching vectors**, not
# learned embeddings.

# %% [markdown]
# ## Set-up, as in the lesson

# %%
import numpy as np

from lessons_lib import WORDS, blend
from lessons_lib.checks.basics import check_bank_blend, check_plain_mean, check_river_weights
from lessons_lib.plots import vector_table, weights_table
from lessons_lib.vocab import BANK_HAND_WEIGHTS, BANK_SENTENCE, RIVER_SENTENCE, hand_weights

tokens, vectors = WORDS.encode(BANK_SENTENCE)
print(tokens)

# %% [markdown]
# ## The plain mean by hand
#
# `vectors` has one row per token (8 rows, 6 named dimensions). The mean adds the rows and
# divides by their number; `vectors.mean(axis=0)` does the same in one call. Both give every
# word the weight 1/8.

# %%
answer = vectors.sum(axis=0) / len(vectors)
print("same as .mean(axis=0):", np.allclose(answer, vectors.mean(axis=0)))
print(vector_table(answer, WORDS.dimensions, name="plain mean"))
check_plain_mean(answer)

# %% [markdown]
# ## The weighted blend
#
# First the weights: deposit 0.35, money 0.30, bank 0.15, and the five other tokens share
# 0.20 (0.04 each). Then each row times its weight, summed — a loop, or the same thing as
# one matrix product `weights @ vectors`.

# %%
weights = hand_weights(tokens, BANK_HAND_WEIGHTS, rest=0.20)
print(weights_table(weights, tokens))

answer = np.zeros(vectors.shape[1])
for weight, vector in zip(weights, vectors):
    answer += weight * vector
print("loop equals weights @ vectors:", np.allclose(answer, weights @ vectors))
check_bank_blend(answer)

# %% [markdown]
# ## A river bank
#
# Only *fished* and *river* belong to the river sense, so they get most of the weight
# (0.4 each); the remaining 0.2 is spread evenly over the other tokens, *bank* included.
# Any non-negative weights summing to 1 that land on the nature side pass; this is one
# such choice.

# %%
river_tokens, river_vectors = WORDS.encode(RIVER_SENTENCE)
my_weights = hand_weights(river_tokens, {"fished": 0.4, "river": 0.4}, rest=0.2)
print(weights_table(my_weights, river_tokens))
print(vector_table(blend(my_weights, river_vectors), WORDS.dimensions, name="river bank"))
check_river_weights(my_weights)

# %% [markdown]
# A tempting wrong answer puts all the weight on *bank* itself: the blend is then just
# the ambiguous *bank* vector, half finance and half nature, and the check says so.

# %%
only_bank = np.array([1.0 if t == "bank" else 0.0 for t in river_tokens])
check_river_weights(only_bank)
