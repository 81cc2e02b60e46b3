"""Read a ``.safetensors`` file with numpy only: a JSON header, then raw arrays.

Layout: 8 bytes (little-endian unsigned length N), N bytes of JSON mapping each
tensor's name to its ``dtype``, ``shape`` and ``data_offsets`` (begin, end,
counted from the end of the header), then the bytes of every tensor. The arrays
returned here are read-only views into a memory map of the file: nothing is
copied, and the operating system reads only the pages a computation touches.
:meth:`TensorFile.release` lets it drop pages again once a computation is done.
"""
from __future__ import annotations

import json
import math
import mmap
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


class TensorFile(dict):
    """name -> read-only array; every array is a view into one memory map of the file."""

    def __init__(self, mapping: mmap.mmap, spans: dict[str, tuple[int, int]], tensors: dict[str, np.ndarray]) -> None:
        super().__init__(tensors)
        self.mapping = mapping
        self.spans = spans  # name -> (first byte, end byte) in the file

    def release(self, names: list[str]) -> None:
        """Let the operating system take these tensors' pages out of this process.

        The data stays in the system's file cache; the next computation that
        touches it maps it back (a fast, minor page fault). Resident memory drops.
        """
        advice = getattr(mmap, "MADV_DONTNEED", None)
        if advice is None:  # not on this platform: keeping the pages is always correct
            return
        for name in names:
            begin, end = self.spans[name]
            start = begin - begin % mmap.PAGESIZE  # madvise works on whole pages
            if end > start:
                self.mapping.madvise(advice, start, end - start)


def read_safetensors(path: str | Path) -> TensorFile:
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
    with open(path, "rb") as stream:
        mapping = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    tensors, spans = {}, {}
    for name, info in header.items():
        if name != "__metadata__":
            dtype, shape, begin = _layout(name, info, data_size)
            count = math.prod(shape)
            tensors[name] = np.frombuffer(mapping, dtype=dtype, count=count, offset=start + begin).reshape(shape)
            spans[name] = (start + begin, start + begin + count * dtype.itemsize)
    return TensorFile(mapping, spans, tensors)


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
