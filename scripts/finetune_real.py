"""Fine-tune and evaluate a real base model (IndoBERT, IndoLEM, XLM-R, …) on the project corpus.

    python scripts/finetune_real.py ./indobert-base-p1 --recipe indobert-base --output runs/indobert-p1
    python scripts/finetune_real.py ./xlm-roberta-base --recipe xlm-r --output runs/xlmr --epochs 4

The base model is a local folder (download it where the Hugging Face hub is reachable:
``hf download indobenchmark/indobert-base-p1 --local-dir ./indobert-base-p1``) or a hub id
when this machine can reach the hub. Steps:

1. fine-tune on the corpus train split (dev split: early stopping + per-topic thresholds);
2. evaluate on the untouched test split, next to the embedded TF-IDF default model;
3. record the test figures in the saved model (``netral_config.json`` and the model card)
   and write ``eval_report.json`` and ``eval_report.md`` into the output folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import netral_nlp
from netral_nlp.training.recipes import list_recipes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base_model", help="local base-model folder (or a hub id, if the hub is reachable)")
    p.add_argument("--recipe", default="indobert-base", help=f"one of {list_recipes()} or a .json path")
    p.add_argument("--output", default="runs/finetuned", help="output model folder")
    p.add_argument("--epochs", type=float)
    p.add_argument("--lr", type=float, dest="learning_rate")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--max-length", type=int)
    p.add_argument("--grad-accum", type=int, dest="gradient_accumulation_steps")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--pos-weight", default=None, help="'auto' for BCE positive weights on rare topics")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"], default="auto")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--allow-pickle-weights", action="store_true", help="allow pytorch_model.bin (trusted copies only)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = {k: getattr(args, k) for k in ("epochs", "learning_rate", "batch_size", "max_length",
                                            "gradient_accumulation_steps", "pos_weight")
               if getattr(args, k) is not None}
    clf = netral_nlp.train(
        "corpus", base_model=args.base_model, output_dir=args.output, recipe=args.recipe, seed=args.seed,
        precision=args.precision, device=args.device, use_safetensors=not args.allow_pickle_weights, progress=True,
        **options,
    )
    test = netral_nlp.evaluate(clf, "test")
    baseline = netral_nlp.evaluate(netral_nlp.load("default"), "test")
    clf.metrics_["test"] = {"summary": test.summary(), "per_topic": test.per_topic()}
    clf.save_pretrained(args.output)  # model card and netral_config.json now carry the test figures

    report = {
        "base_model": args.base_model,
        "recipe": args.recipe,
        "training": clf.metrics_["training"],
        "dev": clf.metrics_["dev"],
        "test": clf.metrics_["test"],
        "default_model_test": {"summary": baseline.summary(), "per_topic": baseline.per_topic()},
    }
    out = Path(args.output)
    (out / "eval_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = [f"# {args.base_model} ({args.recipe}) on the corpus test split", "",
             "| topic | fine-tuned F1 | default TF-IDF F1 | support |", "|---|---:|---:|---:|"]
    for ours, theirs in zip(test.per_topic(), baseline.per_topic()):
        lines.append(f"| {ours['topic']} | {ours['f1']:.3f} | {theirs['f1']:.3f} | {ours['support']} |")
    lines += ["", f"macro-F1: fine-tuned {test.macro_f1:.3f}, default {baseline.macro_f1:.3f}; "
                  f"micro-F1: fine-tuned {test.micro_f1:.3f}, default {baseline.micro_f1:.3f}; "
                  f"training time {clf.metrics_['training']['seconds']:.0f}s on {clf.metrics_['training']['device']}"]
    (out / "eval_report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except netral_nlp.NetralError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
