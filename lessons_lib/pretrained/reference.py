"""Compare the numpy forward pass with numbers saved from the reference implementation.

The numbers (``lessons_lib/pretrained/minilm_reference.json``) were computed once with
torch + transformers by ``tools/make_minilm_reference.py``; the course itself
needs neither.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .model import MiniLM


REFERENCE_FILE = Path(__file__).with_name("minilm_reference.json")


def load_reference(path: str | Path = REFERENCE_FILE) -> dict:
    """The saved reference numbers (a JSON file; by default the one shipped with the course)."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"path {file.name!r} does not exist (the course's copy is {REFERENCE_FILE.name})")
    return json.loads(file.read_text(encoding="utf-8"))


def compare_with_reference(model: MiniLM, reference: dict) -> dict[str, object]:
    """Run every reference sentence; report whether ids agree and the largest differences.

    Returns
    -------
    {"sentences": count, "ids_identical": bool, "head_matrices": count of full
     head matrices stored, "head_rows": count of stored rows of all 72 heads,
     "attention_max_diff": float, "embedding_max_diff": float}
    """
    if not isinstance(reference, dict) or "sentences" not in reference:
        raise ValueError("reference must be the dict read by load_reference")
    same_ids, attention_diff, embedding_diff, matrices, rows = True, 0.0, 0.0, 0, 0
    for entry in reference["sentences"].values():
        run = model.run(entry["text"])
        same_ids &= run.ids.tolist() == entry["ids"]
        for item in entry["attention"]:
            diff = np.abs(run.head(item["layer"], item["head"]) - np.array(item["weights"])).max()
            attention_diff = max(attention_diff, float(diff))
            matrices += 1
        if "every_head_row" in entry:
            rows += 1
            row = entry["every_head_row"]
            diff = np.abs(run.attentions[:, :, row["index"]] - np.array(row["weights"])).max()
            attention_diff = max(attention_diff, float(diff))
        embedding_diff = max(embedding_diff, float(np.abs(run.embedding - np.array(entry["embedding"])).max()))
    return {"sentences": len(reference["sentences"]), "ids_identical": bool(same_ids),
            "head_matrices": matrices, "head_rows": rows,
            "attention_max_diff": attention_diff, "embedding_max_diff": embedding_diff}
