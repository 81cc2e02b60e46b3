"""Read a ``.safetensors`` file with numpy only: a JSON header, then raw arrays.

Layout: 8 bytes (little-endian unsigned length N), N bytes of JSON mapping each
tensor's name to its ``dtype``, ``shape`` and ``data_offsets`` (begin, end,
counted from the end of the header), then the bytes of every tensor. The arrays
returned here are read-only views into a memory map of the file: nothing is
copied, and the operating system reads only the pages a computation touches.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
    "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?",
}
MAX_HEADER = 100 * 1024 * 1024


def read_header(path: str | Path) -> tuple[dict, int]:
    """The parsed JSON header of a safetensors file and where its data starts."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"path {str(path)!r} is not a file")
    size = file.stat().st_size
    with open(file, "rb") as stream:
        head = stream.read(8)
        length = int.from_bytes(head, "little") if len(head) == 8 else -1
        if not 0 < length <= min(MAX_HEADER, size - 8):
            raise ValueError(f"path {file.name!r} is not a safetensors file (bad header length)")
        try:
            header = json.loads(stream.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(f"path {file.name!r} has an unreadable safetensors header ({err})") from None
    if not isinstance(header, dict):
        raise ValueError(f"path {file.name!r} has a safetensors header that is not a JSON object")
    return header, 8 + length


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a read-only, memory-mapped numpy array.

    Parameters
    ----------
    path : the ``.safetensors`` file

    Returns
    -------
    name -> array with the stored dtype and shape (the ``__metadata__`` entry is skipped)
    """
    header, start = read_header(path)
    data_size = Path(path).stat().st_size - start
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    tensors = {}
    for name, info in header.items():
        if name != "__metadata__":
            dtype, shape, begin = _layout(name, info, data_size)
            tensors[name] = np.ndarray(shape, dtype=dtype, buffer=mapped, offset=start + begin)
    return tensors


def _layout(name: str, info: object, data_size: int) -> tuple[np.dtype, tuple[int, ...], int]:
    """Check one header entry; return its numpy dtype, shape and first byte."""
    try:
        code, shape, (begin, end) = info["dtype"], tuple(info["shape"]), info["data_offsets"]
    except (TypeError, KeyError, ValueError):
        raise ValueError(f"tensor {name!r} needs dtype, shape and data_offsets in the header") from None
    if code not in DTYPES:
        raise ValueError(f"tensor {name!r} has dtype {code}; this reader knows {', '.join(DTYPES)}")
    dtype = np.dtype(DTYPES[code])
    if not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError(f"tensor {name!r} has an invalid shape {list(shape)}")
    if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= data_size):
        raise ValueError(f"tensor {name!r} has data_offsets outside the file: {[begin, end]}")
    if end - begin != math.prod(shape) * dtype.itemsize:
        raise ValueError(f"tensor {name!r}: {end - begin} bytes do not fit shape {list(shape)} of {code}")
    return dtype, shape, begin
