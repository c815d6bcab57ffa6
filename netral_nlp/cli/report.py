"""``report`` sub-command: one self-contained HTML page about a labelled dump."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write an HTML report about a labelled dump (shares, trends, examples)",
        description="Write one self-contained HTML file (every script inline, opens offline) about a file "
                    "labelled by `netral-nlp label`: each topic's estimated share with its 95%% interval next "
                    "to the raw flag count, the shares over time (--date-field) and by a field (--by), score "
                    "distributions, a sample of posts per topic with the words that drove the label, the "
                    "model's figures and the errors file summarised. Streams the file: memory stays flat. "
                    'Needs plotly (pip install "netral-nlp[report]").')
    p.add_argument("labelled", metavar="LABELLED", type=Path,
                   help="output of `netral-nlp label` (.jsonl or .jsonl.gz; label with --keep-fields to show texts)")
    p.add_argument("-o", "--output", type=Path, default=Path("report.html"), help="HTML file (default: %(default)s)")
    p.add_argument("-m", "--model", default="default", help="the model that labelled the file (default: %(default)s)")
    p.add_argument("--date-field", metavar="FIELD", help="field with the post date (ISO 8601, Unix time...): "
                   "shares over time")
    p.add_argument("--by", metavar="FIELD", help="field to break the shares down by (region, source...)")
    p.add_argument("--text-field", default="text", metavar="FIELD", help="field with the text (default: %(default)s)")
    p.add_argument("--errors", type=Path, metavar="FILE",
                   help="errors file of the run (default: LABELLED stem + .errors.jsonl)")
    p.add_argument("--prevalence", choices=["em", "pacc", "acc", "cc"], default="em",
                   help="how topic shares are estimated (default: %(default)s)")
    p.add_argument("-t", "--threshold", type=float, default=None,
                   help="the single threshold the file was labelled with, if not the model's")
    p.add_argument("--examples", type=int, default=5, help="posts shown per topic (default: %(default)s)")
    p.add_argument("--title", help="title of the page")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from ..evaluation.dump_html import report

    if args.examples < 0:
        raise ValueError("--examples must be >= 0")
    out = report(args.labelled, args.output, args.model, date_field=args.date_field, by=args.by,
                 text_field=args.text_field, errors_path=args.errors, method=args.prevalence,
                 threshold=args.threshold, examples=args.examples, title=args.title, progress=not args.quiet)
    print(f"report: {out}")
    return 0


__all__ = ["register", "cmd_report"]
