"""The HTML report of a labelled dump: streaming aggregation, the page's content, the CLI,
and the page rendered by a real browser (headless Chromium; skipped where it is absent)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import netral_nlp
from netral_nlp import label_dump
from netral_nlp.batch.resume import DumpPaths
from netral_nlp.cli import main
from netral_nlp.evaluation import dump_report
from netral_nlp.evaluation.dump_html import default_errors_path, highlight, periods
from netral_nlp.evaluation.dump_report import aggregate_labelled, parse_days

pytest.importorskip("plotly")

EVIL = "</script><script>alert(1)</script>"
REGIONS = ["Jawa Barat", "Aceh", EVIL]
CHARTS = {"shares": 5, "time": 5, "time-rows": 1, "groups": 5, "group-rows": 1, "scores": 5}
"""Chart div id -> the fewest drawn marks (bars / points / lines) it must have."""


@pytest.fixture(scope="module")
def clf():
    return netral_nlp.load()


@pytest.fixture(scope="module")
def labelled(tmp_path_factory, clf) -> Path:
    """300 corpus test texts with a date and a region, a bad line and a row without text, labelled."""
    base = tmp_path_factory.mktemp("report")
    records = list(netral_nlp.iter_corpus("test"))[:300]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    with open(base / "dump.jsonl", "w", encoding="utf-8") as fh:
        for i, r in enumerate(records):
            when = start + dt.timedelta(days=i % 90)
            date = when.isoformat() if i % 3 else int(when.timestamp())  # ISO strings and Unix times
            fh.write(json.dumps({"id": i, "text": r["text"], "date": date, "region": REGIONS[i % 3]}) + "\n")
        fh.write("{oops\n" + json.dumps({"id": "none", "text": None}) + "\n")
    label_dump(base / "dump.jsonl", base / "out.jsonl", clf, id_field="id", keep_fields=True, progress=False)
    return base / "out.jsonl"


@pytest.fixture(scope="module")
def page(labelled, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    netral_nlp.report(labelled, out, date_field="date", by="region", examples=2, title="Test <dump>")
    return out


def test_aggregation_counts_every_row_and_samples_flagged_ones(labelled, clf, monkeypatch, tmp_path):
    rows = [json.loads(line) for line in labelled.read_text(encoding="utf-8").splitlines()]
    copy = tmp_path / "out.jsonl"
    copy.write_text(labelled.read_text(encoding="utf-8") + "not json\n" + json.dumps({"row": 1}) + "\n")
    monkeypatch.setattr(dump_report, "MAX_GROUPS", 2)
    agg = aggregate_labelled(copy, clf.labels, date_field="input.date", by="region", examples=3)
    assert agg.overall.rows == len(rows) == 300
    for i, topic in enumerate(clf.labels):
        assert agg.overall.flags[i] == sum(topic in r["labels"] for r in rows)
        assert len(agg.examples[topic]) == min(3, agg.overall.flags[i])
        assert all(topic in e.labels and e.text for e in agg.examples[topic])
    assert agg.unreadable == {"invalid JSON": 1, "not a labelled row (no scores / labels)": 1}
    assert len(agg.by_day) == 90 and sum(h.rows for h in agg.by_day.values()) == 300 and agg.no_date == 0
    assert set(agg.by_group) == {"Jawa Barat", "Aceh", "(other)"}  # the third value beyond MAX_GROUPS
    assert sum(h.rows for h in agg.by_group.values()) == 300
    keys, hists = periods(agg.by_day)
    assert len(keys) <= 13 and sum(h.rows for h in hists) == 300  # 90 days of 300 rows: weeks or months


def test_aggregation_errors(tmp_path, clf):
    with pytest.raises(FileNotFoundError):
        aggregate_labelled(tmp_path / "missing.jsonl", clf.labels)
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(netral_nlp.DataError, match="JSONL"):
        aggregate_labelled(tmp_path / "x.csv", clf.labels)
    (tmp_path / "raw.jsonl").write_text(json.dumps({"text": "not labelled"}) + "\n")
    with pytest.raises(netral_nlp.DataError, match="no labelled rows"):
        aggregate_labelled(tmp_path / "raw.jsonl", clf.labels)


def test_parse_days_reads_common_formats():
    days = parse_days(["2024-02-03T23:59:00+07:00", 1706918400, 1706918400000, "Sat Feb 03 10:00:00 +0000 2024",
                       "garbage", None, True, ""])
    assert days[:4] == [dt.date(2024, 2, 3)] * 4
    assert days[4:] == [None] * 4


def test_default_errors_path_matches_label():
    for name in ("out.jsonl", "out.jsonl.gz", "dump.ndjson.zst", "x.y.jsonl"):
        assert default_errors_path(Path("/d") / name) == DumpPaths.for_output(Path("/d") / name).errors


def test_highlight_marks_phrases_and_escapes():
    out = highlight("Bagi-bagi AMPLOP <b>serangan   fajar</b>", ["amplop", "serangan fajar"])
    assert out.count("<mark>") == 2 and "&lt;b&gt;" in out and "<b>" not in out
    assert highlight("x <i>", []) == "x &lt;i&gt;"


def test_report_is_self_contained_and_complete(page):
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and len(text) > 1_000_000  # the plotly.js bundle is inline
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import", text, re.I)
    for heading in ("Topic shares", "Over time", "By region", "Score distributions", "Examples", "Model", "Errors"):
        assert f"<h2>{heading}</h2>" in text
    assert "Test &lt;dump&gt;" in text and EVIL not in text  # data and titles are escaped
    assert "<mark>" in text  # explained words highlighted in the examples
    assert "2 input rows could not be labelled" in text and "missing text" in text  # the errors file
    assert "corpus_test" in text and "false positive rate" in text  # the model's figures


def test_report_cli(labelled, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(labelled), "-o", str(out), "-q", "--prevalence", "acc", "--examples", "1"]) == 0
    assert str(out) in capsys.readouterr().out and "Over time" not in out.read_text(encoding="utf-8")
    assert main(["report", str(tmp_path / "missing.jsonl"), "-o", str(out), "-q"]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", str(labelled), "--prevalence", "median"])


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(page, tmp_path):
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=20000", "--window-size=1280,2400"]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console  # no script error, no failed request, nothing logged
    for div_id, fewest in CHARTS.items():
        start = dom.stdout.find(f'id="{div_id}"')
        assert start > 0, f"chart {div_id} missing from the DOM"
        end = dom.stdout.find("plotly-graph-div", start + 40)
        chart = dom.stdout[start:end if end > 0 else None]
        assert 'class="main-svg"' in chart, f"plotly did not draw {div_id}"
        bars = re.findall(r'<g class="point"><path d="M', chart)
        points_lines = re.findall(r'<path class="(?:point|js-line)"[^>]*\sd="M', chart)
        marks = len(bars) + len(points_lines)
        assert marks >= fewest, f"{div_id}: {marks} marks drawn"
    shot = tmp_path / "shot.png"
    run = subprocess.run(flags + [f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    image = pytest.importorskip("PIL.Image")
    pixels = np.asarray(image.open(shot).convert("L"), dtype=np.float64)
    assert pixels.std() > 20 and (pixels < 128).mean() > 0.01  # not a blank page
