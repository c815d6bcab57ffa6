"""``predict``, ``evaluate`` and ``info`` sub-commands."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from ..data.jsonl import iter_jsonl
from ..errors import DataError
from ._format import comma_list, print_json, shorten, table

MODEL_HELP = ('model: "default" or "fast" (embedded TF-IDF), "accurate", "e5", a model folder, or a hub id '
              "(default: %(default)s)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="label texts given as arguments or in a file",
                       description="Label texts given as arguments, or one per line / per record in --input.")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to label")
    p.add_argument("-i", "--input", metavar="FILE",
                   help="file of texts: .txt (one per line), .jsonl or .csv (see --text-field); '-' = stdin lines")
    p.add_argument("--text-field", default="text", help="field/column holding the text in .jsonl/.csv input (default: text)")
    p.add_argument("-m", "--model", default="default", help=MODEL_HELP)
    p.add_argument("-t", "--threshold", type=float, default=None,
                   help="one threshold for every topic (default: the model's tuned per-topic thresholds)")
    p.add_argument("--batch-size", type=int, default=None, help="texts per model call")
    p.add_argument("--explain", action="store_true", help="also show the words that drove each predicted topic")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_predict)

    e = sub.add_parser("evaluate", help="per-topic precision/recall/F1 on labelled data",
                       description="Evaluate a model on the corpus test split (default) or on a labelled file "
                                   "(.csv, .jsonl, .json, .parquet): per-topic P/R/F1, confusion counts, "
                                   "calibration, best thresholds; optionally save the plots.")
    e.add_argument("-m", "--model", default="default", help=MODEL_HELP)
    e.add_argument("--split", default="test", choices=["train", "dev", "test"],
                   help="corpus split to evaluate on when --data is not given (default: test)")
    e.add_argument("-d", "--data", metavar="FILE", default=None,
                   help="labelled file (.csv, .jsonl, .json, .parquet) instead of the corpus split")
    e.add_argument("--text-column", default="text", help="column holding the text in --data (default: text)")
    e.add_argument("--label-column", default=None,
                   help="column holding the labels in --data: a list per row or one topic per row "
                        "(default: 'labels', else 'label', else one 0/1 column per topic)")
    e.add_argument("--label-columns", default=None, type=comma_list, metavar="A,B,...",
                   help="comma-separated 0/1 columns, one per topic (the column names are topic ids)")
    e.add_argument("--topics", default=None, type=comma_list, metavar="A,B,...",
                   help="report only these topics (e.g. hoaks for data labelled for that topic only)")
    e.add_argument("-t", "--threshold", type=float, default=None, help="one threshold for every topic")
    e.add_argument("--batch-size", type=int, default=None, help="texts per model call")
    e.add_argument("--plots", metavar="DIR", default=None, help="save the evaluation plots as PNG files in DIR")
    e.add_argument("--errors", type=int, default=0, metavar="N", help="also list the N most confident mistakes")
    e.add_argument("--json", action="store_true", help="print JSON instead of tables")
    e.set_defaults(func=cmd_evaluate)

    n = sub.add_parser("info", help="show a model's type, taxonomy, thresholds and recorded metrics")
    n.add_argument("-m", "--model", default="default", help=MODEL_HELP)
    n.add_argument("--json", action="store_true", help="print JSON")
    n.set_defaults(func=cmd_info)


def read_texts(path: str, text_field: str = "text") -> list[str]:
    """Texts from a .txt (one per line), .jsonl or .csv file, or stdin ('-')."""
    if path == "-":
        return [line.rstrip("\n") for line in sys.stdin if line.strip()]
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if suffix == ".jsonl":
        out = []
        for lineno, rec in iter_jsonl(p):
            value = rec.get(text_field)
            if not isinstance(value, str):
                raise DataError(f"{p}: line {lineno}: field {text_field!r} is missing or not a string")
            out.append(value)
        return out
    with p.open(encoding="utf-8", newline="") as fh:
        if suffix == ".csv":
            reader = csv.DictReader(fh)
            if text_field not in (reader.fieldnames or []):
                raise DataError(f"{p}: no column {text_field!r} (columns: {reader.fieldnames})")
            return [row[text_field] or "" for row in reader]
        return [line.rstrip("\n") for line in fh if line.strip()]


def cmd_predict(args: argparse.Namespace) -> int:
    from ..models.loading import load

    texts = list(args.texts)
    if args.input:
        texts += read_texts(args.input, args.text_field)
    if not texts:
        raise DataError("nothing to label: give TEXT arguments or --input FILE")
    clf = load(args.model)
    preds = clf.predict(texts, threshold=args.threshold, batch_size=args.batch_size)
    explanations = [clf.explain(t) if args.explain else None for t in texts]
    if args.json:
        rows = []
        for text, pred, expl in zip(texts, preds, explanations):
            row = {"text": text, **pred.to_dict()}
            if expl is not None:
                row["explanation"] = {k: [[w, s] for w, s in v] for k, v in expl.items()}
            rows.append(row)
        print_json(rows)
        return 0
    labels = clf.labels
    short = [_short_label(x) for x in labels]
    rows = [
        [i + 1, ", ".join(_short_label(x) for x in p.labels) or "-", *[p.scores[x] for x in labels], shorten(t, 58)]
        for i, (t, p) in enumerate(zip(texts, preds))
    ]
    print(table(["#", "topics", *short, "text"], rows, align="rl" + "r" * len(labels) + "l"))
    if args.explain:
        for i, expl in enumerate(explanations):
            for topic, words in (expl or {}).items():
                print(f"#{i + 1} {topic}: " + ", ".join(f"{w} ({s:+.2f})" for w, s in words))
    return 0


def _short_label(label: str) -> str:
    return {"netralitas_asn": "asn", "politik_uang": "uang", "hoaks": "hoaks",
            "sara_ujaran_kebencian": "sara", "pelanggaran_kampanye": "kampanye"}.get(label, label)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..evaluation.report import evaluate
    from ..models.loading import load

    if args.data is not None and args.label_column is not None and args.label_columns is not None:
        raise DataError("give either --label-column or --label-columns, not both")
    if args.data is None and (args.label_column or args.label_columns or args.text_column != "text"):
        raise DataError("--text-column/--label-column/--label-columns need --data FILE")
    if args.data is not None and not Path(args.data).is_file():
        raise FileNotFoundError(f"{args.data}: no such file")
    clf = load(args.model)
    data = args.data if args.data is not None else args.split
    report = evaluate(clf, data, threshold=args.threshold, batch_size=args.batch_size,
                      topics=args.topics, text_column=args.text_column,
                      label_column=args.label_column, label_columns=args.label_columns)
    report.model_name = args.model
    plot_paths = report.save_plots(args.plots) if args.plots else []
    if args.json:
        out = report.to_dict()
        if args.errors:
            errs = report.errors().head(args.errors)
            out["errors"] = [{"row": int(i), "text": r.text, "gold": r.gold, "predicted": r.predicted,
                              "margin": float(r.margin)} for i, r in errs.iterrows()]
        if plot_paths:
            out["plots"] = [str(p) for p in plot_paths]
        print_json(out)
        return 0
    print(f"model: {args.model}   data: {report.data_name}   texts: {len(report.texts)}\n")
    frame = report.to_frame()
    rows = [[idx, r.precision, r.recall, r.f1, int(r.support)] for idx, r in frame.iterrows()]
    print(table(["topic", "precision", "recall", "f1", "support"], rows, align="lrrrr"))
    s = report.summary()
    print(f"\nmicro-F1 {s['micro_f1']:.3f}   macro-F1 {s['macro_f1']:.3f}   "
          f"samples-F1 {s['samples_f1']:.3f}   exact match {s['exact_match']:.3f}\n")
    conf, cal, best = report.confusion(), report.calibration(), report.best_thresholds()
    rows = [[t, *[int(v) for v in conf.loc[t]], cal.at[t, "ece"], best.at[t, "threshold"],
             best.at[t, "best_threshold"], best.at[t, "best_f1"]] for t in report.labels]
    print(table(["topic", "tp", "fp", "fn", "tn", "ece", "threshold", "best thr.", "f1 at best"], rows,
                align="lrrrrrrrr"))
    print(f"\nexpected calibration error (all topics): {cal.at['all', 'ece']:.3f}   "
          "(best thresholds are tuned on this same data: optimistic)")
    if args.errors:
        all_errors = report.errors()
        errs = all_errors.head(args.errors)
        print(f"\n{len(all_errors)} misclassified texts; the {len(errs)} most confident:")
        rows = [[i, ", ".join(_short_label(x) for x in r.gold) or "-",
                 ", ".join(_short_label(x) for x in r.predicted) or "-", shorten(r.text, 60)]
                for i, r in errs.iterrows()]
        print(table(["row", "gold", "predicted", "text"], rows, align="rlll"))
    for path in plot_paths:
        print(f"saved {path}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from ..models.loading import load

    clf = load(args.model)
    info = clf.info()
    if args.json:
        print_json(info)
        return 0
    print(f"model: {args.model}   type: {info['model_type']}   multi-label: {info['multi_label']}")
    print(f"taxonomy: {info['taxonomy']['name']} ({len(clf.labels)} topics)\n")
    rows = [[t.id, t.name_id, t.name_en, clf.thresholds[t.id]] for t in clf.taxonomy]
    print(table(["topic", "nama", "name", "threshold"], rows, align="lllr"))
    for split, figures in (info.get("metrics") or {}).items():
        if isinstance(figures, dict) and "per_topic" in figures:
            print(f"\nmetrics on {split}:")
            rows = [[r["topic"], r["precision"], r["recall"], r["f1"], r["support"]] for r in figures["per_topic"]]
            print(table(["topic", "precision", "recall", "f1", "support"], rows, align="lrrrr"))
            summ = figures.get("summary", {})
            if summ:
                print(f"micro-F1 {summ.get('micro_f1', 0):.3f}   macro-F1 {summ.get('macro_f1', 0):.3f}")
    return 0
