# %% [markdown]
# # Solutions · 10 Multi-head attention and word order
#
# Worked solutions for the exercises of [lesson 10](../notebooks/10_multi_head_attention.ipynb).
# Try each exercise in the lesson first. Every solution ends with the lesson's own
# self-check, which runs it on the real model's layer-0 weights.

# %%
import numpy as np

from lessons_lib.checks.transformer import check_multi_head_attention

# %% [markdown]
# ## 1. Write multi-head attention
#
# Project once for all heads, then reshape `(n, width)` to `(n, heads, size)` (each
# token's row stays together) and move the heads axis first. Every head divides its
# scores by √size — √32 in the real model, not √384. After the softmax and the blend,
# undo the move, reshape back to `(n, width)` and apply `w_out`.

# %%
def my_multi_head(x, w_query, w_key, w_value, w_out, heads):
    n, width = x.shape
    size = width // heads
    q, k, v = (np.moveaxis((x @ w).reshape(n, heads, size), 1, 0) for w in (w_query, w_key, w_value))
    scores = q @ np.swapaxes(k, 1, 2) / np.sqrt(size)  # (heads, n, n)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.moveaxis(weights @ v, 0, 1).reshape(n, width) @ w_out


check_multi_head_attention(my_multi_head)
