# %% [markdown]
# # Solutions · 03 Scores computed from content
#
# Worked solutions for the exercises of [lesson 03](../notebooks/03_scores_from_content.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The vectors are the course's hand-built teaching vectors.

# %%
import numpy as np

from lessons_lib import WORDS, softmax
from lessons_lib.checks.basics import check_outputs, check_scores, check_weight_matrix
from lessons_lib.plots import heatmap_table
from lessons_lib.vocab import BANK_SENTENCE

tokens, vectors = WORDS.encode(BANK_SENTENCE)

# %% [markdown]
# ## Scores, weights, outputs
#
# 1. Every pair's dot product at once: `vectors @ vectors.T`, an 8 × 8 matrix whose entry
#    (i, j) is $x_i \cdot x_j$.
# 2. Softmax along each row (`axis=1`): row i becomes token i's weights, summing to 1.
#    Softmax over the whole matrix, or down the columns, is the classic slip — the check
#    catches it.
# 3. Each output row blends every vector with that row's weights: `weights @ vectors`,
#    8 × 6.

# %%
my_scores = vectors @ vectors.T
my_weights = softmax(my_scores, axis=1)
my_outputs = my_weights @ vectors
print("row sums:", np.round(my_weights.sum(axis=1), 6))
print(heatmap_table(my_weights, tokens))

check_scores(my_scores)
check_weight_matrix(my_weights)
check_outputs(my_outputs)

# %% [markdown]
# The column-wise slip, for comparison: its *columns* sum to 1, not its rows.

# %%
check_weight_matrix(softmax(my_scores, axis=0))

# %% [markdown]
# ## Permutation: predict, then experiment
#
# **Prediction: `True`.** Reversing the tokens reverses the outputs and changes nothing
# else: without position information, attention treats the sentence as a set. The scores
# of the reversed sentence are the original scores with rows and columns reversed, so
# each row's softmax is the same numbers in reverse order, and so is each blend.

# %%
from lessons_lib.checks.basics import check_permutation_prediction

my_prediction = True
check_permutation_prediction(my_prediction)

# %% [markdown]
# The experiment confirms it:

# %%
r = vectors[::-1]
reversed_outputs = softmax(r @ r.T, axis=1) @ r
print(np.allclose(reversed_outputs, my_outputs[::-1]))
