# %% [markdown]
# # Solutions · 07 Attention next to RNNs and CNNs
#
# Worked solutions for the exercises of [lesson 07](../notebooks/07_attention_vs_rnn_cnn.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check.

# %% [markdown]
# ## Set-up, as in the lesson

# %%
import math

import numpy as np

from lessons_lib import sequence_models as sm
from lessons_lib.checks.beyond import (
    check_dilated_receptive_field,
    check_layers_kernel_7,
    check_merge_partials,
    check_weight_matrix_bytes,
)

# %% [markdown]
# ## 1. Dilated convolutions
#
# Follow the window of one output down the stack, as in section 2, but watch how far each
# layer pushes its edges:
#
# - with **no** layer the output is just the input at its own position: 1 position;
# - an ordinary layer of width *k* reads its centre and *k − 1* neighbours one position
#   apart, so it widens the window by *k − 1*;
# - a layer with dilation *r* reads *k* positions that are *r* apart: the outermost taps
#   sit *r* times further out, so it widens the window by *(k − 1) r*.
#
# By hand, for *k* = 3: 0 layers see 1 position; layer 1 (*r* = 1) adds 2, giving 3;
# layer 2 (*r* = 2) adds 4, giving 7; layer 3 (*r* = 4) adds 8, giving 15. In general,
# with dilations 1, 2, 4, …, 2^(L−1):
#
# 1 + (k − 1)(1 + 2 + 4 + … + 2^(L−1)) = **1 + (k − 1)(2^L − 1)**,
#
# because the doubling sum adds up to one less than the next power of two.

# %%
def dilated_receptive_field(layers, kernel):
    return 1 + (kernel - 1) * (2**layers - 1)


# %% [markdown]
# `sm.measured_receptive_field(..., dilated=True)` runs real dilated convolutions on a
# single spike and counts how far it spreads. The formula should agree with it for several
# widths:

# %%
for kernel in (2, 3, 5):
    formula = [dilated_receptive_field(layers, kernel) for layers in range(7)]
    measured = [sm.measured_receptive_field(layers, kernel, dilated=True) for layers in range(7)]
    print(f"kernel {kernel}: {formula}  matches the convolutions: {formula == measured}")
check_dilated_receptive_field(dilated_receptive_field)

# %% [markdown]
# The window now grows **exponentially** with depth, not linearly: to see tokens 1 and 100
# (100 positions) with width 3, six dilated layers suffice (127 positions; five see only
# 63), against 50 ordinary ones. The window is still fixed in advance, whatever the words.

# %%
print("dilated, width 3:", [dilated_receptive_field(layers, 3) for layers in (5, 6)], "positions after 5 and 6 layers")
print("ordinary, width 3:", sm.layers_to_connect(99, 3), "layers for the same span")

# %% [markdown]
# A tempting slip forgets the dilation and reuses section 2's 1 + L(k − 1): it is right for
# one layer (dilation 1) and falls short from the second layer on.

# %%
check_dilated_receptive_field(lambda layers, kernel: 1 + layers * (kernel - 1))

# %% [markdown]
# ## 2. A wider kernel
#
# Tokens 1 and 100 are 99 positions apart, so one output must see a window of at least
# 100 positions. With section 2's formula for ordinary layers, and *k* = 7, every layer
# adds 6:
#
# 1 + 6L ≥ 100  ⟺  L ≥ 99 / 6 = 16.5.
#
# Half a layer does not exist, so round **up**: 17. Rounding down to 16 would leave the
# window 3 positions short.

# %%
layers_needed = math.ceil(99 / 6)
for layers in (layers_needed - 1, layers_needed):
    print(f"{layers} layers of width 7 see {sm.receptive_field(layers, 7)} positions")
print("same as the lesson's layers_to_connect:", layers_needed == sm.layers_to_connect(99, 7))
check_layers_kernel_7(layers_needed)

# %% [markdown]
# Compared with the lesson: width 3 needs 50 layers, width 5 needs 25, width 7 needs 17.
# A wider kernel helps, yet the number of layers still grows with the distance; attention
# links the two tokens in its first layer.

# %% [markdown]
# ## 3. The price of a long document
#
# The weight matrix has one row per query token and one column per key token, every
# token included: 8192 × 8192 = 67,108,864 weights. A float32 number takes 4 bytes
# (32 bits), which numpy confirms with `itemsize`:

# %%
n = 8192
bytes_per_weight = np.dtype(np.float32).itemsize
weight_bytes = n * n * bytes_per_weight
print(f"{n} × {n} weights × {bytes_per_weight} bytes = {weight_bytes:,} bytes = {weight_bytes / 2**20:g} MiB")
print("same as the lesson's weight_matrix_bytes:", weight_bytes == sm.weight_matrix_bytes(n))
check_weight_matrix_bytes(weight_bytes)

# %% [markdown]
# That is 256 MiB for **one** head of **one** layer, if the matrix is stored (section 5 of the
# lesson computes the same output without ever storing it). It fits the lesson's pattern: twice the
# length (8192 instead of 4096 tokens) gives four times the memory (256 MiB instead of
# 64 MiB). The common slip is numpy's default `float64`, 8 bytes a number, which doubles
# the answer:

# %%
check_weight_matrix_bytes(n * n * np.dtype(np.float64).itemsize)

# %% [markdown]
# ## 4. Merge two partial softmax results
#
# Each part was summed against its **own** maximum: the first part holds
# total_a = Σ exp(s − a), the second total_b = Σ exp(s − b). The merged part must hold
# Σ exp(s − M) over all keys, with M = max(a, b). For every score of the first part,
#
# exp(s − M) = exp(s − a) · exp(a − M),
#
# and exp(a − M) is the same number for the whole part, so it multiplies the part's total
# and its weighted sum at once. The second part gets exp(b − M). One of the two factors is
# exactly 1 (the part that holds the maximum), the other is below 1: nothing can overflow.

# %%
from lessons_lib import Partial, attend, merge_partials, partial_attention


def merge(first, second):
    maximum = np.maximum(first.maximum, second.maximum)
    scale_first = np.exp(first.maximum - maximum)  # <= 1
    scale_second = np.exp(second.maximum - maximum)  # <= 1
    total = first.total * scale_first + second.total * scale_second
    weighted = first.weighted * scale_first + second.weighted * scale_second
    return Partial(maximum, total, weighted)


# %% [markdown]
# Try it on the lesson's kind of split: 3 queries, 9 keys cut after the fourth, scores made
# large on purpose (queries times 300). The merged output must be attention over all 9
# keys, and the merged `Partial` must equal the one computed over all keys at once
# (the library's `merge_partials` does the same, with its inputs checked).

# %%
rng = np.random.default_rng(0)
queries, keys, values = 300 * rng.normal(size=(3, 4)), rng.normal(size=(9, 4)), rng.normal(size=(9, 2))
first = partial_attention(queries, keys[:4], values[:4])
second = partial_attention(queries, keys[4:], values[4:])
merged = merge(first, second)
print("output = attention over all 9 keys:", np.allclose(merged.weighted / merged.total, attend(queries, keys, values)[0]))
print("same Partial as all keys at once:  ",
      all(np.allclose(a, b) for a, b in zip(merged, partial_attention(queries, keys, values))))
print("same as lessons_lib.merge_partials:", all(np.allclose(a, b) for a, b in zip(merged, merge_partials(first, second))))
check_merge_partials(merge)

# %% [markdown]
# The tempting slip adds the two parts as they are. It is right only when both parts have
# the same maximum; otherwise one part is counted too heavily:

# %%
check_merge_partials(lambda first, second: Partial(np.maximum(first.maximum, second.maximum),
                                                   first.total + second.total, first.weighted + second.weighted))
