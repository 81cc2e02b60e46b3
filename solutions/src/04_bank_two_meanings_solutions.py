# %% [markdown]
# # Solutions · 04 One word, two meanings
#
# Worked solutions for the exercises of [lesson 04](../notebooks/04_bank_two_meanings.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The word vectors are the course's **hand-built teaching vectors**, not
# learned embeddings, and the temperature of 0.2 was chosen by hand, as in the lesson.

# %% [markdown]
# ## Set-up, as in the lesson

# %%
import numpy as np

from lessons_lib import WORDS, softmax
from lessons_lib.checks.examples import check_river_blend, check_river_sentence
from lessons_lib.examples import BANK_TEMPERATURE, FISHING_SENTENCE, bank_sense, focus_blend
from lessons_lib.plots import matrix_table, vector_table, weights_table

print("temperature:", BANK_TEMPERATURE)

# %% [markdown]
# ## The river bank, by hand
#
# This is one row of lesson 03's computation, the row of *bank*, in three steps:
#
# 1. **scores**: the dot product of *bank*'s vector with every token's vector. With the
#    vectors as rows, `vectors @ vectors[i]` gives all of them at once (one score per token);
# 2. **weights**: softmax of those scores at the lesson's temperature, 0.2 (which is the
#    same as multiplying every score by 5 before a plain softmax);
# 3. **blend**: the weights times the vectors, `weights @ vectors`, a (6,) vector.

# %%
tokens, vectors = WORDS.encode(FISHING_SENTENCE)
i = tokens.index("bank")
scores = vectors @ vectors[i]
weights = softmax(scores, temperature=BANK_TEMPERATURE)
river_bank = weights @ vectors
print(matrix_table(np.column_stack([scores, weights]), tokens, ["score", "weight"]), end="\n\n")
print(vector_table(river_bank, WORDS.dimensions, name="new bank"))

# %% [markdown]
# *fished* and *river* share the nature feature with *bank*, so they score 0.45 and 0.5
# and take 0.24 and 0.31 of the weight; the function words score 0 and drop to 0.03 each. The new
# *bank* lands on the nature side (nature 0.69, finance 0.16). Two cross-checks: the
# lesson's `focus_blend` computes the same row, and "temperature 0.2" really is "scores
# times 5".

# %%
print("same as focus_blend:", np.allclose(river_bank, focus_blend(FISHING_SENTENCE)[2]))
print("same as softmax(5 * scores):", np.allclose(weights, softmax(5 * scores)))
print("sense:", bank_sense(river_bank))
check_river_blend(river_bank)

# %% [markdown]
# A tempting slip is to forget the temperature. The plain softmax (temperature 1) gives
# nearly flat weights; the blend still leans to nature, but the five function words carry
# their *function* feature into it (0.46, now its largest number). Those are not the
# lesson's numbers, so the check says no.

# %%
flat_bank = softmax(scores) @ vectors
print(vector_table(flat_bank, WORDS.dimensions, name="temperature 1"))
check_river_blend(flat_bank)

# %% [markdown]
# ## A river sentence of your own
#
# *bank* is built half finance, half nature, so its sense comes from its neighbours. At
# temperature 0.2 the words that share a feature with *bank* take most of the weight and
# the function words very little. So a river sentence needs words with a large *nature*
# value and **no** finance words. The vocabulary's nature column shows the candidates:

# %%
nature = WORDS.axis("nature")
print(", ".join(f"{w} {WORDS.vector(w)[nature]:.1f}" for w in WORDS.words if WORDS.vector(w)[nature] > 0))

# %% [markdown]
# A sentence with *grass*, *muddy* and *water* around *bank* should do it, and it is none of
# the lesson's sentences. Predict first, then compute *bank*'s weights and its new vector:

# %%
my_sentence = "She sat on the grass by the muddy bank of the water"
tokens, weights, new_bank = focus_blend(my_sentence)
print(weights_table(weights, tokens), end="\n\n")
print(vector_table(new_bank, WORDS.dimensions, name="new bank"))
print("sense:", bank_sense(new_bank))
check_river_sentence(my_sentence)

# %% [markdown]
# The second condition (no finance words) matters as much as the first. Keep *grass* but
# add *paid* and *loan*: they share the finance feature with *bank* as strongly as *grass*
# shares nature, and there are two of them, so finance wins and the sentence fails.

# %%
mixed = "She sat on the grass by the bank and paid my loan"
_, _, mixed_bank = focus_blend(mixed)
print(vector_table(mixed_bank, WORDS.dimensions, name="new bank"))
print("sense:", bank_sense(mixed_bank))
check_river_sentence(mixed)
