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
from lessons_lib.checks.beyond import check_layers_kernel_7, check_receptive_field, check_weight_matrix_bytes

# %% [markdown]
# ## 1. The receptive field formula
#
# Count what one output can see, layer by layer:
#
# - with **no** layer the output is just the input at its own position: 1 position;
# - one convolution of width *k* mixes that position with its *k − 1* neighbours
#   (for *k* = 3: one on each side), so the window grows by *k − 1*;
# - the next layer does the same to an input that already sees a window, so it widens the
#   window by another *k − 1*, and so on.
#
# After *L* layers: 1 + L(k − 1).

# %%
def receptive_field(layers, kernel):
    return 1 + layers * (kernel - 1)


# %% [markdown]
# The lesson's `measured_receptive_field` runs real convolutions on a single spike and
# counts how far it spreads. The formula should agree with it for several widths:

# %%
for kernel in (2, 3, 5, 7):
    formula = [receptive_field(layers, kernel) for layers in range(6)]
    measured = [sm.measured_receptive_field(layers, kernel) for layers in range(6)]
    print(f"kernel {kernel}: {formula}  matches the convolutions: {formula == measured}")
check_receptive_field(receptive_field)

# %% [markdown]
# A tempting guess is `layers * kernel` ("each layer sees *k* positions, so *L* layers see
# *Lk*"). It counts the window of each layer as new, but the windows overlap: each layer
# only adds *k − 1* positions at the edges. With no layer it even says an output sees
# nothing at all, where the answer is its own position.

# %%
check_receptive_field(lambda layers, kernel: layers * kernel)

# %% [markdown]
# ## 2. A wider kernel
#
# Tokens 1 and 100 are 99 positions apart, so one output must see a window of at least
# 100 positions. With *k* = 7 every layer adds 6:
#
# 1 + 6L ≥ 100  ⟺  L ≥ 99 / 6 = 16.5.
#
# Half a layer does not exist, so round **up**: 17. Rounding down to 16 would leave the
# window 3 positions short.

# %%
layers_needed = math.ceil(99 / 6)
for layers in (layers_needed - 1, layers_needed):
    print(f"{layers} layers of width 7 see {receptive_field(layers, 7)} positions")
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
# That is 256 MiB for **one** head of **one** layer. It fits the lesson's pattern: twice the
# length (8192 instead of 4096 tokens) gives four times the memory (256 MiB instead of
# 64 MiB). The common slip is numpy's default `float64`, 8 bytes a number, which doubles
# the answer:

# %%
check_weight_matrix_bytes(n * n * np.dtype(np.float64).itemsize)
