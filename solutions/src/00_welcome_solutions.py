# %% [markdown]
# # Solutions · 00 Welcome
#
# Worked solutions for the exercises of [lesson 00](../notebooks/00_welcome.ipynb).
# Try each exercise in the lesson first: the self-check and its hint are there to help.
# Every solution below ends with the lesson's own self-check, so you can see it pass.

# %% [markdown]
# ## The warm-up: the average of 2, 4 and 9
#
# An average adds the numbers and divides by how many there are:
# (2 + 4 + 9) / 3 = 15 / 3 = 5.

# %%
from lessons_lib.checks.basics import check_warmup

answer = (2 + 4 + 9) / 3
print(answer)
check_warmup(answer)
