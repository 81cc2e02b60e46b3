# %% [markdown]
# # Solutions · 02 Valid weights and softmax
#
# Worked solutions for the exercises of [lesson 02](../notebooks/02_softmax.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check.

# %%
import numpy as np

from lessons_lib import softmax
from lessons_lib.checks.basics import check_softmax, check_temperature

# %% [markdown]
# ## A stable softmax
#
# Subtract the largest score first. Shift invariance says the weights do not change, and
# now the largest exponent is $e^0 = 1$, so nothing overflows; the smallest ones may
# underflow to 0, which is harmless.

# %%
def my_softmax(scores):
    scores = np.asarray(scores, dtype=float)
    exps = np.exp(scores - scores.max())
    return exps / exps.sum()


print(np.round(my_softmax(np.array([1000.0, 1001.0, 999.0])), 4))
check_softmax(my_softmax)

# %% [markdown]
# Without the shift, the same function fails on large scores: `np.exp(1000)` is `inf`, and
# `inf / inf` is `nan`.

# %%
def naive_softmax(scores):
    return np.exp(scores) / np.exp(scores).sum()


with np.errstate(over="ignore", invalid="ignore"):
    check_softmax(naive_softmax)

# %% [markdown]
# ## Choose a temperature
#
# Lower temperatures stretch the gaps between scores. With scores 2.0, 1.0, 0.5, *money*
# gets $1 / (1 + e^{-1/T} + e^{-1.5/T})$. At $T = 0.25$ that is about 0.98; any temperature
# up to about 0.41 reaches 0.9. Scanning a few values shows where it crosses:

# %%
scores = np.array([2.0, 1.0, 0.5])
for t in (1.0, 0.5, 0.42, 0.4, 0.25):
    print(f"T = {t:4}: money gets {softmax(scores, temperature=t)[0]:.3f}")

my_temperature = 0.25
check_temperature(my_temperature)
