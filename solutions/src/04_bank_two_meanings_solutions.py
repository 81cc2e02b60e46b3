# %% [markdown]
# # Solutions · 04 One word, two meanings
#
# Worked solutions for the exercises of [lesson 04](../notebooks/04_bank_two_meanings.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The vectors are the course's hand-built teaching vectors.

# %%
import numpy as np

from lessons_lib import WORDS, softmax
from lessons_lib.checks.examples import check_river_blend, check_river_sentence
from lessons_lib.examples import FISHING_SENTENCE
from lessons_lib.plots import vector_table, weights_table

# %% [markdown]
# ## The river bank, by hand
#
# Three steps, exactly as in lesson 03 but for one row: the dot product of *bank*'s vector
# with every token's vector gives the scores, softmax turns them into weights, and the
# weights blend the vectors.

# %%
tokens, vectors = WORDS.encode(FISHING_SENTENCE)
i = tokens.index("bank")
weights = softmax(vectors @ vectors[i])
river_bank = weights @ vectors
print(weights_table(weights, tokens, digits=3))
print(vector_table(river_bank, WORDS.dimensions, name="new bank"))
check_river_blend(river_bank)

# %% [markdown]
# ## A river sentence of your own
#
# *bank* follows the words around it, so surround it with words that carry a large
# *nature* value and no finance words. Many sentences pass; here is one, with the blended
# *bank* printed so you can see why.

# %%
my_sentence = "She sat on the grass by the muddy bank of the water"
tokens, vectors = WORDS.encode(my_sentence)
bank = softmax(vectors @ vectors[tokens.index("bank")]) @ vectors
print(vector_table(bank, WORDS.dimensions, name="new bank"))
check_river_sentence(my_sentence)
