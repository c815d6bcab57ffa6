"""``netral_nlp.report``: one self-contained HTML page about a labelled dump.

Topic shares with their intervals (:mod:`netral_nlp.quantify`), the shares over time
(``date_field``) and by a grouping field (``by``), the score distributions, a sample of posts
per topic with the words that drove the label (``explain``), the model's figures and the errors
file summarised. Every script and style is inline (the plotly.js bundle of the installed
``plotly`` package): the file opens offline, from disk or as an e-mail attachment.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from .._version import __version__
from ..errors import DataError
from ..models.classifier import CONFIG_NAME, Threshold, TopicClassifier
from ..quantify.calibration import calibration_for
from ..quantify.estimate import PrevalenceEstimate, estimate_shares
from ..quantify.estimators import DEFAULT_METHOD, check_method
from ..quantify.histogram import ScoreHistogram
from . import dump_charts as charts
from .dump_report import OTHER, DumpAggregate, Example, aggregate_labelled, open_labelled

MAX_GROUPS_SHOWN = 15
MAX_PERIODS = 60
BREAKDOWN_BOOTSTRAP = 100
ERROR_EXAMPLES = 5
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
main{max-width:1180px;margin:0 auto;padding:24px}
section{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:16px 20px;margin:18px 0}
h1{font-size:1.6rem;margin:0 0 4px} h2{font-size:1.2rem;margin:0 0 10px} .muted{color:#5f6b7a;font-size:.9rem}
table{border-collapse:collapse;font-size:.9rem;margin:8px 0} th,td{padding:4px 10px;border-bottom:1px solid #eceff2;
text-align:right} th:first-child,td:first-child{text-align:left} mark{background:#ffe08a;padding:0 1px}
.post{border-left:3px solid #1f77b4;padding:6px 10px;margin:8px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.chips span{display:inline-block;background:#eef3fb;border-radius:10px;padding:1px 8px;margin:2px;font-size:.8rem}
"""


def report(
    labelled: str | os.PathLike[str],
    output: str | os.PathLike[str] = "report.html",
    model: str | os.PathLike[str] | TopicClassifier = "default",
    *,
    date_field: str | None = None,
    by: str | None = None,
    text_field: str = "text",
    errors_path: str | os.PathLike[str] | None = None,
    method: str = DEFAULT_METHOD,
    threshold: Threshold = None,
    examples: int = 5,
    title: str | None = None,
    progress: bool = False,
) -> Path:
    """Write an HTML report about a file labelled by ``label`` (JSONL, optionally .gz).

    Args:
        labelled: the labelled file. Examples need the post text in it (label with
            ``--keep-fields``/``keep_fields=True``); fields are looked up in the row, then in
            its ``input``.
        output: the HTML file to write.
        model: the model that labelled the file (its figures, thresholds and ``explain``).
        date_field: field with the post's date (ISO 8601, Unix time, ...): shares over time.
        by: field to break the shares down by (region, source, ...).
        text_field: field with the post text (default ``text``).
        errors_path: the errors file of the run (default: ``<stem>.errors.jsonl`` next to it).
        method / threshold: prevalence method; the thresholds the file was labelled with.
        examples: posts shown per topic.
        progress: show a progress bar on stderr.

    Returns:
        the path of the written report.
    """
    check_method(method)
    charts.plotly_modules()
    clf = _load(model)
    started = time.perf_counter()
    src = Path(os.fspath(labelled)).expanduser()
    bar = _bar(src, progress)
    try:
        agg = aggregate_labelled(src, clf.labels, date_field=date_field, by=by, text_field=text_field,
                                 examples=examples, progress=bar)
    finally:
        bar.close() if bar is not None else None
    errors = Path(os.fspath(errors_path)).expanduser() if errors_path else default_errors_path(src)
    calibration = calibration_for(clf)
    overall = estimate_shares(agg.overall, clf, method, threshold, calibration=calibration)
    body = [_header(src, agg, overall, title, model, started),
            _shares_section(overall),
            _time_section(agg, clf, method, threshold, calibration, date_field),
            _group_section(agg, clf, method, threshold, calibration, by),
            _section("Score distributions", charts.to_div(
                charts.histograms_figure(agg.overall, clf.resolve_thresholds(threshold).tolist()), "scores")),
            _examples_section(agg, clf, text_field),
            _model_section(clf, model, calibration, threshold),
            _errors_section(errors, agg)]
    out = Path(os.fspath(output)).expanduser()
    out.write_text(_page(title or f"netral_nlp report: {src.name}", "".join(b for b in body if b)), encoding="utf-8")
    return out


def default_errors_path(labelled: Path) -> Path:
    """Where ``label`` puts the errors of ``labelled`` by default (``<stem>.errors.jsonl``)."""
    name = labelled.name
    for suffixes in ((".gz", ".gzip", ".zst", ".zstd"), (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")):
        if name.lower().endswith(suffixes):
            name = name.rsplit(".", 1)[0]
    return labelled.with_name(name + ".errors.jsonl")


def _load(model: Any) -> TopicClassifier:
    if isinstance(model, TopicClassifier):
        return model
    from ..models.loading import load

    return load(model)


def _bar(src: Path, enabled: bool) -> Any:
    if not enabled or not src.is_file():
        return None
    from tqdm.auto import tqdm

    return tqdm(total=src.stat().st_size, unit="B", unit_scale=True, desc="reading", file=sys.stderr)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _section(title: str, content: str, anchor: str = "") -> str:
    anchor_id = f' id="section-{_esc(anchor)}"' if anchor else ""  # chart divs use the bare names
    return f"<section{anchor_id}><h2>{_esc(title)}</h2>{content}</section>"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{_esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.2f} %"


def _header(src: Path, agg: DumpAggregate, est: PrevalenceEstimate, title: str | None, model: Any,
            started: float) -> str:
    skipped = sum(agg.unreadable.values())
    name = model if isinstance(model, (str, os.PathLike)) else type(model).__name__
    return (f"<header><h1>{_esc(title or 'Labelled dump report')}</h1><p class='muted'>{_esc(src)}: "
            f"{agg.overall.rows:,} labelled rows" + (f", {skipped:,} unreadable lines" if skipped else "") +
            f"; model {_esc(name)}; netral_nlp {_esc(__version__)}; made {dt.datetime.now():%Y-%m-%d %H:%M} "
            f"in {time.perf_counter() - started:.0f} s</p></header>")


def _shares_section(est: PrevalenceEstimate) -> str:
    rows = [[t.topic, _pct(t.share), "" if t.share is None else f"{_pct(t.low)} - {_pct(t.high)}",
             f"{t.flagged:,}", _pct(t.flagged_share), t.note] for t in est.topics]
    note = (f"<p class='muted'>Estimated share ({est.method}) with its {est.level:.0%} bootstrap interval, next to the "
            "raw share of flagged rows. Counting flags is biased whenever the dump's base rate differs from the "
            f"training data's; the estimate corrects it with the model's error rates on {_esc(est.calibration)}. "
            "The interval covers sampling and those error rates' uncertainty, not a model that misreads a new "
            "kind of text.</p>")
    return _section("Topic shares", charts.to_div(charts.shares_figure(est), "shares") + note +
                    _table(["topic", "estimated share", f"{est.level:.0%} interval", "flagged", "flagged share", ""],
                           rows), "shares")


def _estimates(hists: Sequence[ScoreHistogram], clf: TopicClassifier, method: str, threshold: Threshold,
               calibration: Any) -> list[PrevalenceEstimate]:
    return [estimate_shares(h, clf, method, threshold, n_boot=BREAKDOWN_BOOTSTRAP, calibration=calibration)
            for h in hists]


def _time_section(agg: DumpAggregate, clf: TopicClassifier, method: str, threshold: Threshold, calibration: Any,
                  date_field: str | None) -> str:
    if not date_field:
        return ""
    if not agg.by_day:
        return _section("Over time", f"<p>No row has a readable date in <code>{_esc(date_field)}</code>.</p>")
    keys, hists = periods(agg.by_day)
    dropped = ""
    if len(keys) > MAX_PERIODS:
        dropped = f" Only the last {MAX_PERIODS} of {len(keys)} periods are shown."
        keys, hists = keys[-MAX_PERIODS:], hists[-MAX_PERIODS:]
    est = _estimates(hists, clf, method, threshold, calibration)
    note = (f"<p class='muted'>By <code>{_esc(date_field)}</code> (UTC); {agg.no_date:,} rows without a readable "
            f"date are left out.{dropped}</p>")
    return _section("Over time", charts.to_div(charts.breakdown_figure("Estimated share over time", keys, est, True),
                                               "time") +
                    charts.to_div(charts.rows_figure("Rows per period", keys, [h.rows for h in hists], True),
                                  "time-rows") + note, "time")


PERIOD_KEYS = (("day", lambda d: d.isoformat()),
               ("week", lambda d: (d - dt.timedelta(days=d.weekday())).isoformat()),
               ("month", lambda d: f"{d.year}-{d.month:02d}"))
MIN_ROWS_PER_PERIOD = 200


def periods(by_day: dict[dt.date, ScoreHistogram]) -> tuple[list[str], list[ScoreHistogram]]:
    """Days merged into days, weeks (from Monday) or months: the finest that gives at most
    :data:`MAX_PERIODS` periods of :data:`MIN_ROWS_PER_PERIOD` rows on average (months otherwise)."""
    days = sorted(by_day)
    rows = sum(h.rows for h in by_day.values())
    for name, key in PERIOD_KEYS:
        count = len({key(d) for d in days})
        if name == "month" or (count <= MAX_PERIODS and rows / count >= MIN_ROWS_PER_PERIOD):
            break
    merged: dict[str, ScoreHistogram] = {}
    for d in days:
        h = merged.setdefault(key(d), ScoreHistogram(by_day[d].topics))
        h.merge(by_day[d])
    return list(merged), list(merged.values())


def _group_section(agg: DumpAggregate, clf: TopicClassifier, method: str, threshold: Threshold, calibration: Any,
                   by: str | None) -> str:
    if not by:
        return ""
    if not agg.by_group:
        return _section(f"By {by}", f"<p>No row has a value in <code>{_esc(by)}</code>.</p>")
    ranked = sorted(agg.by_group.items(), key=lambda kv: (kv[0] == OTHER, -kv[1].rows))
    shown = ranked[:MAX_GROUPS_SHOWN]
    rest = ranked[MAX_GROUPS_SHOWN:]
    if rest:
        other = ScoreHistogram(clf.labels)
        for _, h in rest:
            other.merge(h)
        shown.append((f"{OTHER} ({len(rest)} values)", other))
    keys, hists = [k for k, _ in shown], [h for _, h in shown]
    est = _estimates(hists, clf, method, threshold, calibration)
    note = f"<p class='muted'>{agg.no_group:,} rows without a value are left out.</p>"
    return _section(f"By {by}", charts.to_div(charts.breakdown_figure(f"Estimated share by {by}", keys, est, False),
                                              "groups") +
                    charts.to_div(charts.rows_figure(f"Rows by {by}", keys, [h.rows for h in hists], False),
                                  "group-rows") + note, "groups")


def highlight(text: str, phrases: Sequence[str]) -> str:
    """``text`` escaped for HTML with every occurrence of ``phrases`` (words in order, any
    punctuation or case between them) in ``<mark>``."""
    patterns = [r"\W+".join(re.escape(w) for w in p.split()) for p in phrases if p.split()]
    if not patterns:
        return _esc(text)
    rx = re.compile(r"(?<!\w)(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE)
    out, last = [], 0
    for m in rx.finditer(text):
        out += [_esc(text[last:m.start()]), f"<mark>{_esc(m.group(0))}</mark>"]
        last = m.end()
    return "".join(out) + _esc(text[last:])


def _examples_section(agg: DumpAggregate, clf: TopicClassifier, text_field: str) -> str:
    parts = []
    for topic in clf.labels:
        items: list[Example] = sorted(agg.examples.get(topic, []), key=lambda e: -e.score)
        cards = []
        for ex in items:
            phrases = _explain(clf, ex.text, topic)
            chips = "".join(f"<span>{_esc(p)} ({w:.2f})</span>" for p, w in phrases)
            cards.append(f"<div class='post'>{highlight(ex.text, [p for p, _ in phrases]) or '<i>no text</i>'}</div>"
                         f"<div class='chips muted'>row {_esc(ex.row)} · score {ex.score:.3f} · labels "
                         f"{_esc(', '.join(ex.labels))} {chips}</div>")
        parts.append(f"<h3>{_esc(topic)}</h3>" + ("".join(cards) or "<p class='muted'>no flagged row</p>"))
    note = (f"<p class='muted'>A random sample of the rows flagged with each topic; highlighted: the words that "
            f"drove the label (<code>explain</code>). Texts come from <code>{_esc(text_field)}</code>")
    if agg.no_text:
        note += f"; {agg.no_text:,} sampled rows carry no text (label with <code>--keep-fields</code>)"
    return _section("Examples", note + ".</p>" + "".join(parts), "examples")


def _explain(clf: TopicClassifier, text: str, topic: str) -> list[tuple[str, float]]:
    if not text.strip():
        return []
    try:
        return [(str(p), float(w)) for p, w in clf.explain(text).get(topic, [])][:8]
    except (NotImplementedError, ValueError, RuntimeError):
        return []


def _model_section(clf: TopicClassifier, model: Any, calibration: Any, threshold: Threshold) -> str:
    info = [["model", model if isinstance(model, (str, os.PathLike)) else type(model).__name__],
            ["type", clf.model_type], ["made with netral_nlp", _model_version(model)],
            ["labelled with thresholds", ", ".join(f"{t} {v:.2f}" for t, v in
                                                   zip(clf.labels, clf.resolve_thresholds(threshold)))]]
    rows = []
    for name, entry in clf.metrics_.items():
        summary = entry.get("summary") if isinstance(entry, dict) else None
        if isinstance(summary, dict):
            rows.append([name, summary.get("n_texts", ""), _num(summary.get("macro_f1")), _num(summary.get("micro_f1"))])
    figures = _table(["measured on", "texts", "macro-F1", "micro-F1"], rows) if rows else "<p>No recorded figures.</p>"
    real = any("real" in name for name in clf.metrics_)
    caution = "" if real else ("<p class='muted'>These figures are on the project's own corpus; on real posts the "
                               "model does worse (see benchmarks/eval_real_text.py and bench_prevalence.py).</p>")
    rates = ""
    if calibration is not None:
        r = calibration.rates(clf, threshold)
        rates = _table(["topic", "true positive rate", "false positive rate", "positives", "negatives"],
                       [[t, _num(v["tpr"]), _num(v["fpr"]), v["positives"], v["negatives"]] for t, v in r.items()])
        rates = f"<p>Error rates used by the estimates ({_esc(calibration.source)}):</p>" + rates
    return _section("Model", _table(["", ""], info) + figures + caution + rates, "model")


def _num(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, (int, float)) else ""


def _model_version(model: Any) -> str:
    from ..models.loading import ALIASES, SHIPPED, shipped_model_path

    try:
        shipped = model is None or model in SHIPPED or model in ALIASES
        folder = shipped_model_path(model or "default") if shipped else (
            Path(os.fspath(model)) if isinstance(model, (str, os.PathLike)) else None)
        return str(json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8")).get("netral_nlp_version", "?"))
    except (OSError, ValueError, TypeError, AttributeError):
        return "?"


def _errors_section(path: Path, agg: DumpAggregate) -> str:
    if not path.is_file():
        return _section("Errors", f"<p>No errors file at <code>{_esc(path)}</code>.</p>", "errors")
    reasons: Counter = Counter()
    first: list[list[Any]] = []
    total = 0
    for _, line in open_labelled(path):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(rec, dict):
            continue
        total += 1
        reason = str(rec.get("reason", "?"))
        reasons[reason.split(":", 1)[0]] += 1
        if len(first) < ERROR_EXAMPLES:
            first.append([rec.get("row", ""), reason, str(rec.get("excerpt", ""))[:160]])
    content = (f"<p>{total:,} input rows could not be labelled (<code>{_esc(path)}</code>).</p>" +
               _table(["reason", "rows"], [[r, f"{n:,}"] for r, n in reasons.most_common()]) +
               (_table(["row", "reason", "excerpt"], first) if first else ""))
    if agg.unreadable:
        content += "<p>Lines of the labelled file that are not labelled rows:</p>" + _table(
            ["reason", "lines"], [[r, f"{n:,}"] for r, n in agg.unreadable.most_common()])
    return _section("Errors", content, "errors")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_esc(title)}</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<style>{_CSS}</style><script>window.PlotlyConfig = {{MathJaxConfig: 'local'}};</script>"
            f"<script>{charts.plotly_js()}</script></head><body><main>{body}</main></body></html>")


__all__ = ["report", "default_errors_path", "highlight", "periods"]
