"""A real pretrained transformer (all-MiniLM-L6-v2) run with the course's numpy code.

No torch and no model hub: the weights are read from an installed package's
files (checked by sha256 first), memory-mapped from the safetensors format, and
pushed through a numpy forward pass whose attention is
:func:`lessons_lib.attention.attend`.
"""
from .files import MODEL_SHA256, ModelFilesError, model_folder, verify_weights
from .model import Forward, MiniLM, gelu, load_model
from .safetensors import read_safetensors
from .wordpiece import WordPiece

__all__ = [
    "MODEL_SHA256", "ModelFilesError", "model_folder", "verify_weights", "Forward", "MiniLM",
    "gelu", "load_model", "read_safetensors", "WordPiece",
]
