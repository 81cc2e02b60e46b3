# %% [markdown]
# # Solutions · 11 The transformer block, batches, and the causal mask
#
# Worked solution for the exercise of [lesson 11](../notebooks/11_transformer_block.ipynb).
# Try it in the lesson first. The solution ends with the lesson's own self-check, which
# runs it on a real padded batch of the pretrained model.

# %%
import numpy as np

from lessons_lib.checks.transformer import check_masked_mean

# %% [markdown]
# ## Masked mean pooling
#
# `real[..., None]` is `(batch, n, 1)`: multiplying by it zeroes every pad's vector, so
# the sum covers real tokens only. Each sentence's count of real tokens,
# `real.sum(axis=1, keepdims=True)`, is `(batch, 1)` and divides every number of its row.

# %%
def masked_mean(hidden, real):
    hidden, real = np.asarray(hidden), np.asarray(real)
    return (hidden * real[..., None]).sum(axis=1) / real.sum(axis=1, keepdims=True)


check_masked_mean(masked_mean)
