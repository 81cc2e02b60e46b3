# %% [markdown]
# # Solutions · 06 Translation as a spotlight
#
# Worked solutions for the exercises of [lesson 06](../notebooks/06_translation_spotlight.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The bilingual word vectors are **hand-built teaching vectors**; the
# bottleneck measurement uses seeded random vectors, so its numbers are the same on every run.

# %% [markdown]
# ## Set-up, as in the lesson

# %%
import numpy as np

from lessons_lib import softmax, tokenize
from lessons_lib.checks.examples import check_bottleneck_length, check_cross_weights
from lessons_lib.diagrams import alignment_table, bottleneck_table
from lessons_lib.examples import (BILINGUAL, ENGLISH_SENTENCE, FRENCH_SENTENCE, TRANSLATION_TEMPERATURE,
                                  bottleneck_measurement, cross_attention)

print("temperature:", TRANSLATION_TEMPERATURE)

# %% [markdown]
# ## The cross-attention matrix
#
# English words ask, French words answer. With the English vectors as the rows of one
# (7, 6) matrix and the French vectors as the rows of another, every English–French dot
# product is one entry of `english_vectors @ french_vectors.T`: a (7, 7) matrix with one
# **row per English word** and one column per French word. Check that shape before the
# softmax.

# %%
english_vectors = BILINGUAL.vectors(ENGLISH_SENTENCE)
french_vectors = BILINGUAL.vectors(FRENCH_SENTENCE)
scores = english_vectors @ french_vectors.T
print("scores:", scores.shape, "(English rows, French columns)")

# %% [markdown]
# Each English word spreads its attention over the French words, so the softmax runs
# along each row: `axis=1`, at the lesson's temperature of 0.25. Every row then sums to 1.
# (`axis=0` would instead make each *French* word's column sum to 1, a distribution over
# the English words, which is the wrong question.)

# %%
my_weights = softmax(scores, axis=1, temperature=TRANSLATION_TEMPERATURE)
print("row sums:", np.round(my_weights.sum(axis=1), 6))
print(alignment_table(my_weights, tokenize(ENGLISH_SENTENCE), tokenize(FRENCH_SENTENCE)))

# %% [markdown]
# The spotlights are the lesson's: *black* → *noir* 0.90, *cat* → *chat* 0.88, and each
# *the* split between the two identical *le*. The lesson's `cross_attention` agrees:

# %%
print("same as cross_attention:", np.allclose(my_weights, cross_attention(ENGLISH_SENTENCE, FRENCH_SENTENCE)[2]))
check_cross_weights(my_weights)

# %% [markdown]
# ## A bigger summary vector
#
# Run the lesson's measurement again with `dim=128` and nothing else changed (the same
# lengths, 300 trials, seed 0), then read the mean reader's column from the top down.

# %%
bigger = bottleneck_measurement(dim=128)
print(bottleneck_table(bigger.lengths, bigger.mean_accuracy, bigger.attention_accuracy))

# %% [markdown]
# The mean summary holds on longer: 0.88 at 8 words, 0.59 at 12, and the first length
# below 0.5 is **16** (0.41). The same reading in code: the first index where the accuracy
# is under 0.5, then the length at that index. (`int` turns numpy's integer into a plain
# Python one.)

# %%
below = bigger.mean_accuracy < 0.5
first_below_half = int(bigger.lengths[np.argmax(below)]) if below.any() else None
print("first length below 0.5 with 128 numbers:", first_below_half)
check_bottleneck_length(first_below_half)

# %% [markdown]
# Compare with the 64-number result of the lesson. Doubling the numbers doubled the
# length the mean can hold (below half from 8 words with 64 numbers, from 16 with 128),
# as the lesson's sweep predicts (this mean of random codes, read by a matched filter, holds
# about d/8 words at 50 %), but it did not change the shape: the curve still falls towards
# chance as the sentence grows (0.05 at 64 words). A fixed-size summary only moves the wall;
# attention keeps every token, and here, given the right query, blends the one it needs.

# %%
lesson = bottleneck_measurement(dim=64)
below_64 = lesson.mean_accuracy < 0.5
print("first length below 0.5 with  64 numbers:", int(lesson.lengths[np.argmax(below_64)]))
for size, result in (("64", lesson), ("128", bigger)):
    print(f"{size:>3} numbers, mean reader at 64 words: {result.mean_accuracy[-1]:.2f}")
