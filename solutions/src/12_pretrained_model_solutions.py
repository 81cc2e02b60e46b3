# %% [markdown]
# # Solutions · 12 A real pretrained model, read critically
#
# Worked solutions for the exercises of [lesson 12](../notebooks/12_pretrained_model.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The model is the genuinely trained all-MiniLM-L6-v2, loaded offline.

# %%
import numpy as np

from lessons_lib.checks.pretrained import check_head_scores, check_previous_token_head, check_river_weight
from lessons_lib.pretrained import load_model
from lessons_lib.pretrained.reading import BANK_RIVER, TROPHY_BIG, best_head, find_token

model = load_model(low_memory=True)
river_run, run = model.run(BANK_RIVER), model.run(TROPHY_BIG)

# %% [markdown]
# ## 1. Read one weight
#
# Rows are the tokens that attend, columns the tokens attended to: row *bank*, column
# *river*, in layer 0, head 4.

# %%
row, column = find_token(river_run.tokens, "bank"), find_token(river_run.tokens, "river")
answer = river_run.head(0, 4)[row, column]
print(f"layer 0, head 4: bank -> river {answer:.3f}")
check_river_weight(answer)

# %% [markdown]
# ## 2. Score every head at once
#
# `attentions[:, :, query, keys]` keeps row `query` and the columns `keys` for every layer
# and head; summing over the last axis gives one number per head.

# %%
def scores(attentions, query, keys):
    return np.asarray(attentions)[:, :, query, keys].sum(axis=-1)


print("shape:", scores(river_run.attentions, row, [column]).shape)
check_head_scores(scores)

# %% [markdown]
# ## 3. Find the "previous token" head
#
# Token *t*'s weight on token *t − 1* sits at row *t*, column *t − 1*. Take it for every
# token and head, average over the tokens, and pick the head with the largest average.

# %%
n = len(run.tokens)
previous = run.attentions[:, :, np.arange(1, n), np.arange(n - 1)].mean(axis=-1)
answer = best_head(previous)
print("head (layer, head):", answer)
check_previous_token_head(answer)
