# %% [markdown]
# # Solutions · 08 Learning the weights from data
#
# Worked solutions for the exercises of [lesson 08](../notebooks/08_learning_the_weights.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check.

# %%
import numpy as np

from lessons_lib.attention import softmax
from lessons_lib.checks.beyond import check_chance_accuracy, check_softmax_backward

# %% [markdown]
# ## 1. The softmax backward step
#
# For weights $w = \mathrm{softmax}(s)$, $\partial w_j / \partial s_i = w_j(\delta_{ij} - w_i)$.
# Chaining with the incoming gradient $g = \partial L / \partial w$ gives
# $\partial L / \partial s_i = w_i\,(g_i - \sum_j w_j g_j)$: subtract the weighted sum of the
# gradient, then multiply by the weights.

# %%
def softmax_backward(weights, d_weights):
    weights, d_weights = np.asarray(weights, dtype=float), np.asarray(d_weights, dtype=float)
    return weights * (d_weights - (weights * d_weights).sum(axis=-1, keepdims=True))


# %% [markdown]
# Checked against finite differences on a small example before handing it to the
# self-check (loss = g · softmax(s)):

# %%
rng = np.random.default_rng(seed=0)
scores, g = rng.normal(size=5), rng.normal(size=5)
step = 1e-6
numeric = np.array([(g @ softmax(scores + step * e) - g @ softmax(scores - step * e)) / (2 * step)
                    for e in np.eye(5)])
print("matches finite differences:", np.allclose(softmax_backward(softmax(scores), g), numeric, atol=1e-8))
check_softmax_backward(softmax_backward)

# %% [markdown]
# ## 2. The ceiling of the control
#
# With uniform weights the model sees only the average of the tokens: it can tell which
# three pets appear, but not which pet belongs to the owner asked about. Its best strategy
# is to pick one of the three pets, right one time in three.

# %%
best_control_accuracy = 1 / 3
check_chance_accuracy(best_control_accuracy)
