"""``netral-nlp train``: fine-tune a Hugging Face encoder (IndoBERT, XLM-R, …) into a topic model,
or (``--from MODEL --add SHEET``) update a linear model with a corrected labelling sheet."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import DataError
from ._format import comma_list, table

EPILOG = """examples:
  netral-nlp train corpus --recipe indobert-base --base-model ./indobert-base-p1 --output runs/indobert
  netral-nlp train labelled.csv --label-column labels --base-model ./indobert-base-p1 --epochs 4
  netral-nlp train posts.parquet --label-columns hoaks,politik_uang --eval-data dev.parquet --base-model ./xlmr
  netral-nlp train --list-recipes
  netral-nlp train --from default --add to_label.csv --output my-model   # learn from a labelling sheet

Base models are hub ids or local folders. Without network access to the Hugging Face hub, download
the model elsewhere (`hf download ID --local-dir DIR`), copy the folder and pass --base-model DIR."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="fine-tune IndoBERT (or any Hugging Face encoder) on labelled data",
        description="Fine-tune a Hugging Face encoder into a topic classifier and save it as a standard "
                    "Hugging Face folder (config.json, model.safetensors, tokenizer, netral_config.json, README.md).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", nargs="?", help="'corpus' (project corpus: train split, dev split as eval) or a "
                                           ".csv / .jsonl / .json / .parquet file")
    p.add_argument("--eval-data", metavar="FILE", help="dev data (default: corpus dev split, or 15%% held out)")
    p.add_argument("--text-column", default="text", help="column holding the text (default: text)")
    p.add_argument("--label-column", help="list column (e.g. labels) or single-label column (e.g. label)")
    p.add_argument("--label-columns", type=comma_list, metavar="A,B,...",
                   help="comma-separated 0/1 columns, one per topic (the column names are topic ids)")
    p.add_argument("--taxonomy", metavar="JSON", help="taxonomy JSON file ({'name':…, 'topics':[…]}); "
                                                       "default: inferred from the labels")
    p.add_argument("--allow-new-labels", action="store_true",
                   help="accept labels that look like misspelt topic ids (e.g. 'hoax' for 'hoaks') as new topics")
    p.add_argument("--single-label", action="store_true", help="exactly one topic per text (softmax)")
    p.add_argument("-b", "--base-model", help="hub id or local folder (default: the recipe's, else "
                                              "indobenchmark/indobert-base-p1)")
    p.add_argument("-r", "--recipe", help="shipped recipe name (see --list-recipes) or recipe .json path")
    p.add_argument("--list-recipes", action="store_true", help="show the shipped recipes and exit")
    p.add_argument("-o", "--output", default="runs/netral-model", help="output folder (default: %(default)s)")
    p.add_argument("--epochs", type=float)
    p.add_argument("--lr", "--learning-rate", dest="learning_rate", type=float)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--grad-accum", dest="gradient_accumulation_steps", type=int, help="gradient accumulation steps")
    p.add_argument("--max-length", type=int, help="tokens per input / prediction window")
    p.add_argument("--stride", type=int, help="token overlap of prediction windows (default: max-length/4)")
    p.add_argument("--aggregation", choices=["max", "mean"], help="how window scores combine (default: max)")
    p.add_argument("--long-texts", choices=["head_tail", "chunks"], help="long-text strategy in training")
    p.add_argument("--pos-weight", help="'auto' or a number: BCE weight of positive examples (multi-label)")
    p.add_argument("--patience", dest="early_stopping_patience", type=int,
                   help="early-stopping patience in epochs (0 = off; default 2)")
    p.add_argument("--warmup-ratio", type=float)
    p.add_argument("--weight-decay", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"])
    p.add_argument("--device", choices=["auto", "cpu", "cuda"])
    p.add_argument("--cpu-threads", type=int, help="torch CPU threads while training")
    p.add_argument("--trust-remote-code", action="store_true", help="allow custom model code from the base model")
    p.add_argument("--allow-pickle-weights", action="store_true",
                   help="allow pytorch_model.bin weights (pickles: only for sources you trust)")
    p.add_argument("--offline", action="store_true", help="never contact the hub (local folders and cache only)")
    p.add_argument("--keep-checkpoints", action="store_true", help="keep per-epoch checkpoints")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--json", action="store_true",
                   help="print the dev metrics and warnings as one JSON document on stdout (logs go to stderr)")
    u = p.add_argument_group("updating a linear model with a labelling sheet (netral-nlp suggest)")
    u.add_argument("--add", metavar="CSV", help="corrected labelling sheet; refits --from on the corpus + the sheet")
    u.add_argument("--from", dest="base", default=None, metavar="MODEL",
                   help="linear model to update: 'default' or a folder (default: default)")
    u.add_argument("--weight", type=float, default=None,
                   help="how many corpus texts one correction counts for (default: 5)")
    u.add_argument("--holdout", type=float, default=0.25,
                   help="share of the sheet held out for thresholds and before/after (default: %(default)s)")
    u.add_argument("--no-corpus", action="store_true", help="train on the sheet alone (it must label every topic)")
    u.add_argument("--no-refit", action="store_true", help="keep the model fitted without the held-out rows")
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    from ..training.recipes import list_recipes, load_recipe

    if args.list_recipes:
        rows = []
        for name in list_recipes():
            r = load_recipe(name)
            rows.append([name, r["base_model"], r.get("max_length", ""), r.get("learning_rate", ""),
                         r.get("epochs", ""), r.get("batch_size", "")])
        print(table(["recipe", "base model", "max len", "lr", "epochs", "batch"], rows, align="llrrrr"))
        return 0
    if args.add or args.base:
        return _update(args)
    if not args.data:
        raise DataError("give the training data: 'corpus' or a .csv/.jsonl/.json/.parquet file (see --help)")
    from ..labels.taxonomy import Taxonomy
    from ..training.trainer import train

    taxonomy = None
    if args.taxonomy:
        with open(args.taxonomy, encoding="utf-8") as fh:
            try:
                taxonomy = Taxonomy.from_dict(json.load(fh))
            except json.JSONDecodeError as exc:
                raise DataError(f"{args.taxonomy}: invalid JSON ({exc.msg})") from exc
    options: dict[str, Any] = {
        name: getattr(args, name) for name in (
            "epochs", "learning_rate", "batch_size", "gradient_accumulation_steps", "max_length", "stride",
            "aggregation", "long_texts", "early_stopping_patience", "warmup_ratio", "weight_decay", "seed",
            "precision", "device", "cpu_threads", "label_column", "label_columns")
        if getattr(args, name) is not None
    }
    if args.pos_weight is not None:
        options["pos_weight"] = args.pos_weight if args.pos_weight == "auto" else _float(args.pos_weight)
    options.update(text_column=args.text_column, trust_remote_code=args.trust_remote_code,
                   use_safetensors=not args.allow_pickle_weights, keep_checkpoints=args.keep_checkpoints,
                   progress=not args.quiet, allow_new_labels=args.allow_new_labels)
    if args.offline:
        options["local_files_only"] = True
    clf = train(
        args.data, args.eval_data, base_model=args.base_model, output_dir=args.output, taxonomy=taxonomy,
        problem_type="single_label_classification" if args.single_label else "multi_label_classification",
        recipe=args.recipe, **options,
    )
    dev = clf.metrics_.get("dev", {})
    if args.json:
        json.dump({**dev, "warnings": clf.metrics_.get("warnings", [])}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    rows = [[r["topic"], r["precision"], r["recall"], r["f1"], r["support"], clf.thresholds[r["topic"]]]
            for r in dev.get("per_topic", [])]
    print(f"model saved to {args.output}\n\ndev metrics (thresholds tuned on dev):")
    print(table(["topic", "precision", "recall", "f1", "support", "threshold"], rows, align="lrrrrr"))
    s = dev.get("summary", {})
    print(f"\nmicro-F1 {s.get('micro_f1', 0):.3f}   macro-F1 {s.get('macro_f1', 0):.3f}")
    return 0


def _update(args: argparse.Namespace) -> int:
    from ..training.update import DEFAULT_WEIGHT, update_model

    if not args.add:
        raise DataError("--from needs --add SHEET (a labelling sheet from netral-nlp suggest)")
    if args.data:
        raise DataError(f"give either DATA ({args.data!r}: fine-tune an encoder) or --add SHEET (update a linear "
                        "model), not both")
    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    res = update_model(args.add, args.base or "default", args.output, holdout=args.holdout,
                       weight=DEFAULT_WEIGHT if args.weight is None else args.weight, seed=42 if args.seed is None else args.seed,
                       corpus=not args.no_corpus, refit=not args.no_refit, log=log)
    if args.json:
        json.dump(res.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"model saved to {args.output}")
    if not res.n_held_out:
        print(f"{res.n_corrections} corrections: too few to hold any out, so no before/after figures")
        return 0
    rows = [[t, res.before[t]["f1"], res.after[t]["f1"], res.after[t]["precision"], res.after[t]["recall"],
             res.after[t]["support"], f"{res.thresholds_before[t]:.2f} -> {res.thresholds_after[t]:.2f}"]
            for t in res.topics]
    print(f"\non the {res.n_held_out} held-out corrections (of {res.n_corrections}):")
    print(table(["topic", "F1 before", "F1 after", "precision", "recall", "positives", "threshold"], rows,
                align="lrrrrrr"))
    print(f"\nmean F1 {res.macro_f1('before'):.3f} -> {res.macro_f1('after'):.3f}")
    return 0


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise DataError(f"--pos-weight must be 'auto' or a number, got {text!r}") from None
