# %% [markdown]
# # Solutions · 05 The trophy and the suitcase
#
# Worked solutions for the exercises of [lesson 05](../notebooks/05_trophy_and_suitcase.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The word vectors are the course's **hand-built teaching vectors**, and the
# two role features (*goes in*, *holds*) come from a rule we wrote by hand: neither was
# learned from data.

# %% [markdown]
# ## Set-up, as in the lesson

# %%
import numpy as np

from lessons_lib import WORDS
from lessons_lib.checks.examples import check_shortcut_sentence, check_small_query
from lessons_lib.examples import (ROLE_DIMENSIONS, TROPHY_SENTENCE, coreference_attention, fit_roles,
                                  referent_table, role_query, trophy_tokens)
from lessons_lib.plots import matrix_table, vector_table

# %% [markdown]
# ## The query for "too small"
#
# Toy 2's query of *it* has two parts, and only the second depends on the adjective:
#
# - the **six word features** of *it*, exactly its vector in the vocabulary
#   (`WORDS.vector("it")`);
# - the **two role features** (*goes in*, *holds*). "Too big" blames the thing that goes
#   in, so it asks for (1, 0). When something is "too small", the fault is the holder's:
#   the suitcase was too small to hold the trophy. So the request is (0, 1).
#
# `np.concatenate` joins the two parts into eight numbers.

# %%
small_query = np.concatenate([WORDS.vector("it"), [0.0, 1.0]])
print(vector_table(small_query, WORDS.dimensions + ROLE_DIMENSIONS, name="query of it (small)"))

# %% [markdown]
# The lesson's own `role_query` builds the same vector from the "too small" sentence, and
# the request points at the suitcase, which toy 2 marks as the holder:

# %%
tokens = trophy_tokens("small")
print("same as role_query:", np.allclose(small_query, role_query(tokens)))
print("roles:", {t: r for t, r in zip(tokens, fit_roles(tokens)) if r})
check_small_query(small_query)

# %% [markdown]
# The slip the hint warns about is the "too big" request, (1, 0): it asks for the thing that
# goes in, the trophy, so the check rejects it.

# %%
big_request = np.concatenate([WORDS.vector("it"), [1.0, 0.0]])
check_small_query(big_request)

# %% [markdown]
# ## Fool toy 1
#
# Toy 1 never looks at roles. The query of *it* is its own vector plus the adjective's,
# and the keys are plain word vectors, so "too big" adds object 0.9 and "too small"
# container 0.9: the winner is simply the most **object-like** (or most **container-like**)
# word. To fool it, pick nouns whose word features point the wrong way: the roles of the
# sentence say one thing, the features say another. The features of the five nouns, with
# the adjectives and *it* for comparison:

# %%
candidates = ["trophy", "ball", "suitcase", "box", "bag", "big", "small", "it"]
print(matrix_table(WORDS.vectors(candidates)[:, -2:], candidates, WORDS.dimensions[-2:]))

# %% [markdown]
# *box* is container 0.9 and *ball* container 0.0. So let the **box** go in and the **ball**
# hold, and say "too small". A person blames the holder: the ball was too small. Toy 1 adds
# *small*'s container feature to the query and goes for the most container-like word,
# which is the box. Predict that, then run it through `referent_table`, as the lesson
# suggests:

# %%
fooling_sentence = "The box wouldn't fit in the ball because it was too small."
print(referent_table([fooling_sentence]))

# %% [markdown]
# Toy 1 looks most at *box* (0.52), a person says *ball*, and toy 2 follows the roles and
# gets it right. The sentence is new (the lesson used only trophy and suitcase), so it is a
# fair control:

# %%
tokens, weights, it = coreference_attention(fooling_sentence)
print(f"toy 1 weights of 'it':  box {weights[it, tokens.index('box')]:.2f}   "
      f"ball {weights[it, tokens.index('ball')]:.2f}")
check_shortcut_sentence(fooling_sentence)

# %% [markdown]
# Two sentences that do **not** count. In "The trophy wouldn't fit in the bag because it was
# too small" the *bag* (container 0.8) is narrowly beaten by *small* (container 0.9): toy 1
# misses the answer, but only because the adjective wins. The shortcut itself ("the most
# container-like noun") still says *bag*, the right answer, so the sentence exposes nothing
# about features against roles, and the check refuses it. And a pair whose features happen
# to match their roles, such as the trophy in the box, lets toy 1 get the answer right.

# %%
print(referent_table(["The trophy wouldn't fit in the bag because it was too small.",
                      "The trophy wouldn't fit in the box because it was too small."]))
check_shortcut_sentence("The trophy wouldn't fit in the bag because it was too small.")
check_shortcut_sentence("The trophy wouldn't fit in the box because it was too small.")
