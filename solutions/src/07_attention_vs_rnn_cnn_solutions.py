# %% [markdown]
# # Solutions · 07 Attention next to RNNs and CNNs
#
# Worked solutions for the exercises of [lesson 07](../notebooks/07_attention_vs_rnn_cnn.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check.

# %%
import math

from lessons_lib.checks.beyond import check_layers_kernel_7, check_receptive_field, check_weight_matrix_bytes

# %% [markdown]
# ## 1. The receptive field formula
#
# With no layer, an output sees its own position: 1. Each convolution of width *k* lets
# every position see *k − 1* more neighbours, so after *L* layers: 1 + L(k − 1).

# %%
def receptive_field(layers, kernel):
    return 1 + layers * (kernel - 1)


print([receptive_field(layers, 3) for layers in range(5)])
check_receptive_field(receptive_field)

# %% [markdown]
# ## 2. A wider kernel
#
# Seeing tokens 1 and 100 means a field of 100 positions: 1 + 6L ≥ 100, so L ≥ 99 / 6 =
# 16.5, and layers come in whole numbers.

# %%
layers_needed = math.ceil(99 / 6)
print(layers_needed, "layers see", receptive_field(layers_needed, 7), "positions;",
      layers_needed - 1, "see only", receptive_field(layers_needed - 1, 7))
check_layers_kernel_7(layers_needed)

# %% [markdown]
# ## 3. The price of a long document
#
# One weight per pair of tokens, 4 bytes each in float32: 8192² × 4 bytes = 256 MiB, for
# a single head of a single layer.

# %%
weight_bytes = 8192 * 8192 * 4
print(weight_bytes, "bytes =", weight_bytes / 2**20, "MiB")
check_weight_matrix_bytes(weight_bytes)
