# %% [markdown]
# # Solutions · 06 Translation as a spotlight
#
# Worked solutions for the exercises of [lesson 06](../notebooks/06_translation_spotlight.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The bilingual vectors are hand-built teaching vectors.

# %%
import numpy as np

from lessons_lib import softmax
from lessons_lib.checks.examples import check_bottleneck_length, check_cross_weights
from lessons_lib.examples import (BILINGUAL, ENGLISH_SENTENCE, FRENCH_SENTENCE, TRANSLATION_TEMPERATURE,
                                  bottleneck_measurement, first_length_below)

# %% [markdown]
# ## The cross-attention matrix
#
# English words ask (rows), French words answer (columns): scores are
# `english @ french.T`, and the softmax runs along each row, over the French words.

# %%
english_vectors = BILINGUAL.vectors(ENGLISH_SENTENCE)
french_vectors = BILINGUAL.vectors(FRENCH_SENTENCE)
scores = english_vectors @ french_vectors.T
my_weights = softmax(scores, axis=1, temperature=TRANSLATION_TEMPERATURE)
print("shape:", my_weights.shape, "| row sums:", np.round(my_weights.sum(axis=1), 6))
check_cross_weights(my_weights)

# %% [markdown]
# ## A bigger summary vector
#
# Run the same measurement with twice the numbers and read the first measured length at
# which the mean reader recovers fewer than half of the words. The fall comes later than
# with 64 numbers, but it still comes.

# %%
bigger = bottleneck_measurement(dim=128)
for length, accuracy in zip(bigger.lengths, bigger.mean_accuracy):
    print(f"length {length:3d}: mean reader {accuracy:.2f}")
longer_ok = first_length_below(bigger, 0.5)
print("first length below 0.5:", longer_ok)
check_bottleneck_length(longer_ok)
