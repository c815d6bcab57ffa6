"""``suggest`` and ``audit-labels``: the labelling side of the analyst's loop.

(``train --from MODEL --add SHEET``, which learns from the labelled sheet, is in
:mod:`netral_nlp.cli.train`.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import DataError
from ._format import comma_list, print_json, table

SUGGEST_EPILOG = """The sheet (CSV, opens in any spreadsheet) has one row per chosen post: id, row, text,
one 0/1 column per topic pre-filled with the model's guess, the scores, the topics it is unsure
about and the words that drove it. Correct the 0/1 columns (delete a topic's column to leave that
topic out), then:  netral-nlp train --from default --add to_label.csv --output my-model

examples:
  netral-nlp suggest dump.jsonl -n 200 -o to_label.csv
  netral-nlp suggest posts.csv.gz --text-field isi --id-field post_id --topics hoaks -n 100 -o hoaks.csv
  netral-nlp suggest dump.jsonl -n 200 -o round2.csv --model my-model --exclude to_label.csv"""

AUDIT_EPILOG = """examples:
  netral-nlp audit-labels labelled.csv                 # a 'labels' column, or one 0/1 column per topic
  netral-nlp audit-labels corpus -o corpus_issues.csv  # the project's own corpus
  netral-nlp audit-labels gold.jsonl --label-columns hoaks --top 50"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("suggest", help="pick the posts of a dump whose labels would help the model most",
                       description="Choose posts to label (closest to the model's thresholds, rarer topics first, "
                                   "spread over the dump's themes) and write them as a labelling sheet.",
                       epilog=SUGGEST_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="dump: .jsonl, .csv, .tsv or .parquet, optionally .gz/.zst")
    p.add_argument("-n", type=int, default=200, help="how many posts to choose (default: %(default)s)")
    p.add_argument("-o", "--output", default="to_label.csv", help="labelling sheet to write (default: %(default)s)")
    p.add_argument("-m", "--model", default="default", help="model (default: %(default)s)")
    p.add_argument("--topics", type=comma_list, metavar="A,B,...", help="only these topics (default: all)")
    p.add_argument("--text-field", default="text", help="field holding the text (default: text)")
    p.add_argument("--id-field", help="field copied to the sheet's id column (default: 'id' when present)")
    p.add_argument("--exclude", metavar="CSV", help="an earlier sheet: do not suggest its texts again")
    p.add_argument("--pool-factor", type=int, default=5, help="candidates kept per topic, as a multiple of -n "
                                                              "(default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the clustering (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing sheet")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_suggest)

    a = sub.add_parser("audit-labels", help="find likely label errors in a labelled file (cleanlab)",
                       description="Cross-validated scores from the linear model and cleanlab's confident learning: "
                                   "the rows whose labels look wrong, worst first, with suggested labels.",
                       epilog=AUDIT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("data", help="'corpus' or a labelled .csv / .jsonl / .json / .parquet file")
    a.add_argument("--text-column", default="text", help="column holding the text (default: text)")
    a.add_argument("--label-column", help="list column (e.g. labels) or single-label column (e.g. label)")
    a.add_argument("--label-columns", type=comma_list, metavar="A,B,...", help="0/1 columns, one per topic")
    a.add_argument("--folds", type=int, default=5, help="cross-validation folds (default: %(default)s)")
    a.add_argument("--seed", type=int, default=42, help="seed of the folds (default: %(default)s)")
    a.add_argument("--top", type=int, default=30, help="suspects shown (default: %(default)s; -o gets all)")
    a.add_argument("-o", "--output", help="write every suspect to this CSV")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    a.add_argument("--json", action="store_true", help="print the suspects as JSON")
    a.set_defaults(func=cmd_audit)


def cmd_suggest(args: argparse.Namespace) -> int:
    from ..training.suggest import suggest

    out = Path(args.output)
    if out.exists() and not args.overwrite:
        raise DataError(f"{out} exists (it may hold labels); choose another --output or pass --overwrite")
    res = suggest(args.model, args.input, n=args.n, topics=args.topics, text_field=args.text_field,
                  id_field=args.id_field, exclude=args.exclude, output=out, pool_factor=args.pool_factor,
                  seed=args.seed, progress=not args.quiet)
    summary = {"sheet": str(out), "chosen": len(res), "read": res.read, "scored": res.scored,
               "skipped": res.skipped, "skip_reasons": res.skip_reasons, "flag_rates": res.flag_rates,
               "weights": res.weights}
    if args.json:
        print_json(summary)
        return 0
    print(f"read {res.read} rows, scored {res.scored} distinct texts"
          + (f", skipped {res.skipped} ({_reasons(res.skip_reasons)})" if res.skipped else ""))
    near: dict[str, int] = {}
    for r in res.rows:
        near[r["near_threshold"][0]] = near.get(r["near_threshold"][0], 0) + 1
    rows = [[t, f"{res.flag_rates[t]:.1%}", f"{w:.2f}", near.get(t, 0)] for t, w in res.weights.items()]
    print(table(["topic", "flagged in input", "weight", "chosen for it"], rows, align="lrrr"))
    print(f"\nwrote {len(res)} posts to {out}: correct the 0/1 topic columns, then\n"
          f"  netral-nlp train --from {args.model} --add {out} --output my-model")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from ..training.audit import audit_labels, issue_table_rows, write_issues

    log = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    res = audit_labels(args.data, folds=args.folds, seed=args.seed, text_column=args.text_column,
                       label_column=args.label_column, label_columns=args.label_columns, log=log)
    if args.output:
        write_issues(args.output, res)
    if args.json:
        print_json([i.to_dict() for i in res.issues[: args.top]])
        return 0
    print(f"{res.name}: {len(res)} of {res.n_rows} rows look mislabelled ({res.folds}-fold out-of-fold scores, "
          "cleanlab); worst first")
    if res.issues:
        print(table(["id", "given", "suggested", "quality", "text"], issue_table_rows(res)[: args.top],
                    align="lllrl"))
    if len(res) > args.top:
        print(f"... {len(res) - args.top} more" + (f" in {args.output}" if args.output else " (use -o FILE)"))
    elif args.output:
        print(f"written to {args.output}")
    return 0


def _reasons(reasons: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(reasons.items()))
