"""``label`` sub-command: batch-label a dump file (JSONL / CSV / TSV / Parquet, .gz / .zst)."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from ..errors import DamagedInputError
from ._format import print_json, table
from .exit_status import EXIT_STATUS_HELP, ExitStatus

EXIT_TOO_MANY_ERRORS = ExitStatus.TOO_MANY_ERRORS  # kept for old imports; see exit_status
EXIT_INTERRUPTED = ExitStatus.INTERRUPTED


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "label", help="label a whole dump file (JSONL/CSV/Parquet, .gz/.zst), resumably",
        description="Label every row of SRC into DST. Rows that cannot be labelled (bad JSON, invalid UTF-8, "
                    "missing or non-string text...) go to an errors file with their row number and the reason. "
                    "Interrupted runs (Ctrl-C, crash, kill -9) continue with --resume; the result equals an "
                    "uninterrupted run. One run at a time per output: a second run on the same output or errors "
                    "file is refused (exit status 4).",
        epilog=EXIT_STATUS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src", metavar="SRC", help="input file: .jsonl/.ndjson, .csv, .tsv or .parquet, optionally .gz/.zst")
    p.add_argument("-o", "--output", required=True, metavar="DST",
                   help="output file; the name picks the format: .jsonl, .csv, .tsv (each optionally .gz/.zst) or .parquet")
    p.add_argument("-m", "--model", default="default",
                   help='"default" or "fast" (embedded TF-IDF), "accurate", "e5", a model folder, or a hub id '
                        "(default: %(default)s)")
    p.add_argument("--text-field", action="append", metavar="FIELD",
                   help="field holding the text (default: text); dotted paths reach nested fields (user.bio); "
                        "repeat the option or separate with commas to join several fields (title,content)")
    p.add_argument("--id-field", metavar="FIELD", help="field copied to the output as 'id' (rows always have 'row')")
    p.add_argument("--keep-fields", action="store_true", help="also copy every input field into the output ('input')")
    p.add_argument("--errors", metavar="FILE",
                   help="errors file (default: DST stem + .errors.jsonl); like DST, an existing one is only "
                        "replaced with --overwrite")
    p.add_argument("--input-format", choices=["jsonl", "csv", "tsv", "parquet"], help="override the format of SRC")
    p.add_argument("--output-format", choices=["jsonl", "csv", "tsv", "parquet"], help="override the format of DST")
    p.add_argument("-t", "--threshold", type=float, default=None,
                   help="one threshold for every topic (default: the model's tuned per-topic thresholds)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--overwrite", action="store_true",
                   help="replace DST and the errors file (and any stale checkpoint)")
    p.add_argument("--max-errors", type=_error_limit, default=None, metavar="N|FRACTION|P%",
                   help="exit with status 1 when error rows exceed this count (e.g. 100), fraction (0.01) "
                        "or percentage (1%%) of the rows")
    p.add_argument("--workers", type=int, default=None,
                   help="labelling processes (default: one per CPU up to 8 for the TF-IDF model, else 1)")
    p.add_argument("--chunk-size", type=int, default=None, help="rows per work unit (default 2000; 1024 for transformers)")
    p.add_argument("--batch-size", type=int, default=None, help="texts per model call (transformer models)")
    p.add_argument("--precision", choices=["fp32", "bf16", "fp16", "int8", "onnx"], default=None,
                   help="numeric path of transformer models (int8/bf16: faster on CPU, >=99%% identical labels; "
                        'onnx: ONNX Runtime, see `netral-nlp export`, needs "netral-nlp[onnx]")')
    p.add_argument("--cache-size", type=int, default=100_000, help="distinct texts kept by the duplicate cache")
    p.add_argument("--max-text-chars", type=int, default=50_000,
                   help="longer texts are cut, labelled and flagged 'truncated' (default: %(default)s; 0 = no cap)")
    p.add_argument("--score-digits", type=int, default=4, help="decimals kept in the scores (default: %(default)s)")
    p.add_argument("--checkpoint-rows", type=int, default=100_000, help="checkpoint every N rows (default: %(default)s)")
    p.add_argument("--checkpoint-seconds", type=float, default=30.0,
                   help="... or every S seconds, whichever comes first (default: %(default)s)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help='"ray": label on a Ray cluster (pip install "netral-nlp[ray]")')
    p.add_argument("--ray-concurrency", type=int, default=None,
                   help="Ray actors (engine ray; default: the cluster's CPUs minus one for the reader, which is "
                        "also the most that fits)")
    p.add_argument("--prevalence", choices=["em", "pacc", "acc", "cc", "none"], default="em",
                   help="how the summary estimates each topic's share of the dump, with a 95%% interval, next to "
                        "the raw flag count: em (default), pacc, acc, cc (the flag share) or none")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar (for logs); print only the summary")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_label)


def _error_limit(text: str) -> float:
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count, a fraction or a percentage, got {text!r}") from None
    if value < 0 or (text.endswith("%") and value > 1):
        raise argparse.ArgumentTypeError(f"must be a count >= 0, a fraction or a percentage, got {text!r}")
    return value


def _text_fields(values: list[str] | None) -> list[str]:
    fields = [f.strip() for v in (values or ["text"]) for f in v.split(",") if f.strip()]
    if not fields:
        raise ValueError("--text-field names no field")
    return fields


def cmd_label(args: argparse.Namespace) -> int:
    from ..batch.dump import label_dump

    model_kwargs = {"precision": args.precision} if args.precision else None
    ray_options = {"concurrency": args.ray_concurrency} if args.ray_concurrency else None
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _terminate)  # `kill` / systemd stop: checkpoint like Ctrl-C
    try:
        summary = label_dump(
            args.src, args.output, model=args.model, text_field=_text_fields(args.text_field),
            id_field=args.id_field, keep_fields=args.keep_fields, errors_path=args.errors,
            input_format=args.input_format, output_format=args.output_format, threshold=args.threshold,
            resume=args.resume, overwrite=args.overwrite, workers=args.workers, chunk_size=args.chunk_size,
            batch_size=args.batch_size, cache_size=args.cache_size, max_text_chars=args.max_text_chars,
            score_digits=args.score_digits, checkpoint_rows=args.checkpoint_rows,
            checkpoint_seconds=args.checkpoint_seconds, progress=not args.quiet and not args.json, engine=args.engine,
            model_kwargs=model_kwargs, ray_options=ray_options,
            prevalence=None if args.prevalence == "none" else args.prevalence,
        )
    except KeyboardInterrupt:
        print("interrupted: progress is checkpointed; rerun the same command with --resume to continue",
              file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except DamagedInputError as exc:
        if exc.summary is None:  # nothing could be read: a plain error line
            raise
        _print_summary(exc.summary, args.json)
        print(f"error: {exc}", file=sys.stderr)
        return ExitStatus.DAMAGED_INPUT
    finally:
        signal.signal(signal.SIGTERM, previous)
    _print_summary(summary, args.json)
    if summary.errors_exceed(args.max_errors):
        print(f"error: {summary.errors:,} error rows exceed --max-errors {_limit_text(args.max_errors)} "
              f"(see {summary.errors_path})", file=sys.stderr)
        return ExitStatus.TOO_MANY_ERRORS
    return ExitStatus.OK


def _print_summary(summary: Any, as_json: bool) -> None:
    if as_json:
        print_json(summary.to_dict())
    else:
        print(render_summary(summary.to_dict()))


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _limit_text(limit: float) -> str:
    return f"{limit:.2%}" if limit < 1 else f"{int(limit):,}"


def render_summary(s: dict[str, Any]) -> str:
    """The end-of-run summary as a small table plus the error reasons."""
    rows = [
        ["rows read", f"{s['rows_read']:,}"],
        ["labelled", f"{s['labelled']:,}"],
        ["errors", f"{s['errors']:,}"],
        ["from duplicate cache", f"{s['cached']:,}"],
        ["truncated texts", f"{s['truncated']:,}"],
        ["blank lines skipped", f"{s['blank_lines']:,}"],
    ]
    if s.get("resumed_rows"):
        rows.append(["done before resume", f"{s['resumed_rows']:,}"])
    rows += [["seconds", f"{s['seconds']:.1f}"], ["rows/s", f"{s['rows_per_second']:,.0f}"]]
    out = [table(["summary", ""], rows, align="lr"), f"output: {s['dst']}", f"errors: {s['errors_path']}"]
    for reason, n in sorted(s.get("error_reasons", {}).items(), key=lambda kv: -kv[1]):
        out.append(f"  {n:>8,}  {reason}")
    if s.get("input_damage"):
        out.append(f"INPUT CUT SHORT: {s['input_damage']}; the counts cover the rows before it")
    if s.get("prevalence"):
        out += ["", render_prevalence(s["prevalence"])]
    elif s.get("prevalence_note"):
        out.append(f"topic shares: {s['prevalence_note']}")
    return "\n".join(out)


def render_prevalence(p: dict[str, Any]) -> str:
    """Per-topic estimated share with its interval next to the raw flag count."""
    rows = []
    for t in p["topics"]:
        est = ("n/a" if t["share"] is None else f"{t['share']:.2%}")
        interval = ("" if t["share"] is None else f"{t['low']:.2%} - {t['high']:.2%}")
        flagged = "" if t["flagged_share"] is None else f"{t['flagged_share']:.2%}"
        rows.append([t["topic"], est, interval or t.get("note", ""), f"{t['flagged']:,}", flagged])
    head = [f"topic (method {p['method']})", "est. share", f"{p['level']:.0%} interval", "flagged", "flag share"]
    note = (f"shares of {p['rows']:,} labelled rows; error rates from {p['calibration']}. The interval covers "
            "sampling and the error rates' uncertainty, not a model that misreads a new kind of text.")
    return table(head, rows, align="lrrrr") + "\n" + note


__all__ = ["register", "cmd_label", "render_summary", "render_prevalence"]
