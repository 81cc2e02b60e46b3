# %% [markdown]
# # Solutions · 08 Learning the weights from data
#
# Worked solutions for the exercises of [lesson 08](../notebooks/08_learning_the_weights.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check. The tokens of the pet task are the lesson's hand-coded one-hot vectors.

# %% [markdown]
# ## Set-up, as in the lesson

# %%
import numpy as np

from lessons_lib import training as tr
from lessons_lib.attention import softmax
from lessons_lib.checks.beyond import check_chance_accuracy, check_softmax_jacobian

# %% [markdown]
# ## 1. Where the softmax line comes from
#
# Write $Z = \sum_k e^{s_k}$, so $w_i = e^{s_i} / Z$. Nudging score $s_j$ changes $Z$ by
# $\partial Z / \partial s_j = e^{s_j}$. Two cases, with the quotient rule:
#
# - **$j = i$**: both the numerator and $Z$ move.
#   $\dfrac{\partial w_i}{\partial s_i} = \dfrac{e^{s_i} Z - e^{s_i} e^{s_i}}{Z^2}
#   = w_i - w_i^2 = w_i(1 - w_i)$.
# - **$j \ne i$**: only $Z$ moves.
#   $\dfrac{\partial w_i}{\partial s_j} = -\dfrac{e^{s_i} e^{s_j}}{Z^2} = -w_i w_j$.
#
# Both cases in one formula: $J_{ij} = w_i(\delta_{ij} - w_j)$, where $\delta_{ij}$ is 1 on
# the diagonal and 0 elsewhere. As matrices, that is the diagonal matrix of the weights
# minus the outer product of the weights with themselves:
# $J = \mathrm{diag}(w) - w\,w^\top$. The negative off-diagonal entries are the "lowers all
# the others" of the lesson: the weights sum to 1, so one rising means the rest fall.

# %%
def softmax_jacobian(weights):
    weights = np.asarray(weights, dtype=float)
    return np.diag(weights) - np.outer(weights, weights)


# %% [markdown]
# Before the self-check, the slow, obvious test of lesson 08: nudge each score up and down
# by 10⁻⁶ and see how every weight moves. Nudging score *j* gives column *j* of the
# Jacobian. Each column also sums to 0, because the weights always sum to 1.

# %%
rng = np.random.default_rng(seed=0)
scores = rng.normal(size=5)
w = softmax(scores)
step = 1e-6
numeric = np.column_stack([(softmax(scores + step * e) - softmax(scores - step * e)) / (2 * step)
                           for e in np.eye(len(scores))])
print("matches finite differences:", np.allclose(softmax_jacobian(w), numeric, atol=1e-8))
print("every column sums to 0:", np.allclose(softmax_jacobian(w).sum(axis=0), 0))
check_softmax_jacobian(softmax_jacobian)

# %% [markdown]
# Now the comparison the lesson asks for. The chain rule turns the gradient on the
# weights, `d`, into the gradient on the scores: $\partial L/\partial s_j =
# \sum_i (\partial L/\partial w_i)(\partial w_i/\partial s_j)$, which is `J.T @ d`. Written
# out with $J_{ij} = w_i(\delta_{ij} - w_j)$ it becomes
# $w_j d_j - w_j \sum_i w_i d_i = w_j\,(d_j - \sum_i w_i d_i)$: exactly the line of
# `backward`. The line computes it with *n* numbers instead of an *n* × *n* matrix.

# %%
d = rng.normal(size=5)
line = w * (d - (w * d).sum())
print("J.T @ d equals the backward line:", np.allclose(softmax_jacobian(w).T @ d, line))

# %% [markdown]
# A common slip keeps only the diagonal, $w_i(1 - w_i)$, as if each weight depended on its
# own score alone. It forgets that raising one score lowers every other weight, and the
# check catches it:

# %%
check_softmax_jacobian(lambda weights: np.diag(weights * (1 - weights)))

# %% [markdown]
# ## 2. The ceiling of the control
#
# With uniform weights the control's blended value is `mean(x) @ value`, so everything it
# knows about a question is the **average** of its four token vectors. What does that
# average contain?
#
# - which three owners appear, and which one is asked about (it counts twice);
# - which three pets appear;
# - but **not** who owns which pet: each pair adds one owner coordinate and one pet
#   coordinate, and the sum is the same whichever owner each pet is paired with.
#
# So fix the three pairs' owners, the owner asked about and the three pets. The pets can
# be handed out to the owners in 3! = 6 ways, all with the same average, and the asked
# owner has each of the three pets in 2 of them. Whatever pet the control names for that
# average, it is right in one case out of three. Every question belongs to such a set, so
# the best possible accuracy over all questions is exactly **1/3**. (Better than 1/5,
# blind guessing among all five pets, because the average does tell which three pets are
# present.)
#
# The lesson's `every_example()` lists every possible question, so this can be counted
# instead of argued. Group the questions by their average; in each group, the best a
# function of the average can do is name the group's most common answer:

# %%
everything = tr.every_example()
averages = everything.inputs.mean(axis=1)
_, group = np.unique(averages.round(6), axis=0, return_inverse=True)
group = group.ravel()
counts = np.zeros((group.max() + 1, len(tr.PETS)), dtype=int)
np.add.at(counts, (group, everything.answers), 1)
print(f"{len(everything)} questions in {len(counts)} groups of identical averages")
print("questions per group:", sorted({int(c) for c in counts.sum(axis=1)}))
print("answers per group:", sorted({int((c > 0).sum()) for c in counts}))
print("most common answer per group, count:", sorted({int(c) for c in counts.max(axis=1)}))
right = int(counts.max(axis=1).sum())
print(f"best possible accuracy: {right} / {len(everything)} = {right / len(everything):.4f}")

# %% [markdown]
# Each group holds 36 questions: the 6 ways of handing out the pets, times the 6 orders
# in which the three pairs can be listed (the average ignores the order too). Three
# different answers occur in every group, 12 times each, so the best any function of the
# average can do is 12 out of 36: 3600 of the 10800 questions, one third. The lesson's
# 0.351 is the trained control on a sample of 1000 test questions; a sample can land a
# little above 1/3 by luck, but over all questions no control can beat it.

# %%
best_control_accuracy = 1 / 3
check_chance_accuracy(best_control_accuracy)
