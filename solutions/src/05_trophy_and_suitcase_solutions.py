# %% [markdown]
# # Solutions · 05 The trophy and the suitcase
#
# Worked solutions for the exercises of [lesson 05](../notebooks/05_trophy_and_suitcase.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The vectors are the course's hand-built teaching vectors: the *object* and
# *container* features were written by hand to make the mechanism visible.

# %%
from lessons_lib import WORDS
from lessons_lib.checks.examples import BALL_SENTENCE, check_box_referent, check_small_query
from lessons_lib.examples import coreference_attention
from lessons_lib.plots import vector_table

# %% [markdown]
# ## The query for "too small"
#
# The in-context query of *it* is its own vector plus the adjective's. *small* carries
# the *container* feature (something too small fails to hold), so the query now looks for
# a container.

# %%
small_query = WORDS.vector("it") + WORDS.vector("small")
print(vector_table(small_query, WORDS.dimensions, name="query of it"))
check_small_query(small_query)

# %% [markdown]
# ## A new pair of nouns
#
# "too small" adds *container* to the query, and *box* is the container, so *it* should
# weigh *box* most. Computing it confirms the prediction:

# %%
tokens, weights, it = coreference_attention(BALL_SENTENCE)
for noun in ("ball", "box"):
    print(f"{noun:4s} {weights[it, tokens.index(noun)]:.3f}")
referent = "box"
check_box_referent(referent)
