"""``netral-nlp export``: write a transformer topic model with an ONNX graph for ONNX Runtime."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from ..errors import DataError
from .core import MODEL_HELP

FORMATS = ("onnx",)
CHECK_TEXTS = 200
MIN_AGREEMENT = 0.99


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="export a transformer model to ONNX (for ONNX Runtime: --precision onnx)",
        description="Save MODEL to OUT_DIR as a loadable model folder plus model.onnx (input_ids, attention_mask "
                    "-> logits; batch and token axes dynamic). `netral-nlp label --model OUT_DIR --precision onnx` "
                    "and netral_nlp.load(OUT_DIR, precision='onnx') then predict with ONNX Runtime. The export is "
                    "checked against the torch path on corpus test texts (identical label sets expected). "
                    'Needs pip install "netral-nlp[onnx]".')
    p.add_argument("-m", "--model", default="e5", help=MODEL_HELP.replace("%(default)s", "e5"))
    p.add_argument("-o", "--output", required=True, metavar="OUT_DIR", type=Path, help="folder to write")
    p.add_argument("--format", choices=FORMATS, default="onnx", help="export format (default: %(default)s)")
    p.add_argument("--check", type=int, default=CHECK_TEXTS, metavar="N",
                   help="compare ONNX Runtime with torch on N corpus test texts (0: skip; default %(default)s)")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from ..models.loading import load
    from ..models.onnx import ONNX_NAME, export_onnx, require_onnx
    from ..models.transformer import TransformerTopicClassifier

    require_onnx()
    clf = load(args.model) if args.model in ("default", "fast") else load(args.model, device="cpu")
    if not isinstance(clf, TransformerTopicClassifier):
        raise DataError(f"ONNX export is for transformer models; {args.model!r} is a {clf.model_type} model "
                        "(the TF-IDF model already runs its own fast numeric path)")
    t0 = time.perf_counter()
    out = clf.save_pretrained(args.output)
    export_onnx(clf.model, out / ONNX_NAME)
    size = (out / ONNX_NAME).stat().st_size
    print(f"wrote {out / ONNX_NAME} ({size / 1e6:.0f} MB) and the model folder in {time.perf_counter() - t0:.1f}s")
    if args.check <= 0:
        return 0
    agreement, max_diff = check_export(clf, out, args.check)
    print(f"ONNX Runtime vs torch on {args.check} corpus test texts: identical label sets {agreement:.1%}, "
          f"largest score difference {max_diff:.2e}")
    if agreement < MIN_AGREEMENT:
        print(f"check FAILED: fewer than {MIN_AGREEMENT:.0%} identical label sets")
        return 1
    return 0


def check_export(clf: Any, folder: Path, n: int) -> tuple[float, float]:
    """``(share of identical label sets, largest score difference)`` of the torch and ONNX paths."""
    import numpy as np

    from ..data.corpus import iter_corpus
    from ..models.onnx import ONNX_NAME

    texts = [r["text"] for r in iter_corpus("test")][:n]
    reference = clf.predict_proba(texts)
    clf.onnx_path = folder / ONNX_NAME
    clf.set_precision("onnx")
    try:
        exported = clf.predict_proba(texts)
    finally:
        clf.set_precision("fp32")
    same = [a == b for a, b in zip(clf.decide(reference), clf.decide(exported))]
    return float(np.mean(same)), float(np.abs(reference - exported).max())


__all__ = ["check_export", "cmd_export", "register"]
