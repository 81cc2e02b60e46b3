"""Helpers for the hands-on attention course.

The maths lives in :mod:`lessons_lib.attention`, the hand-built toy word
vectors in :mod:`lessons_lib.vocab`, figures and their text twins in
:mod:`lessons_lib.plots`, sliders in :mod:`lessons_lib.widgets` and the
exercise self-checks in :mod:`lessons_lib.checks`.
"""
from .attention import (
    Partial,
    attend,
    attend_blockwise,
    attention_output,
    attention_weights,
    blend,
    causal_mask,
    dot_scores,
    mean_vector,
    merge_partials,
    partial_attention,
    self_attention,
    softmax,
)
from .multihead import multi_head_attention
from .positions import sinusoidal_positions
from .vocab import WORDS, UnknownWordError, Vocabulary, tokenize

__version__ = "0.1.0"

__all__ = [
    "attend", "attend_blockwise", "attention_output", "attention_weights", "blend", "causal_mask",
    "dot_scores", "mean_vector", "merge_partials", "multi_head_attention", "partial_attention", "Partial",
    "self_attention", "sinusoidal_positions", "softmax",
    "WORDS", "UnknownWordError", "Vocabulary", "tokenize",
]
