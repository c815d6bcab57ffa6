"""audit_labels / netral-nlp audit-labels: likely label errors found with cleanlab."""

from __future__ import annotations

import builtins
import csv
import json
import sys

import pytest

import netral_nlp
from netral_nlp import LabelledData, MissingDependencyError
from netral_nlp.cli import main
from test_active import TAX, toy

FLIPPED = [5, 17, 42, 99]


@pytest.fixture(scope="module")
def noisy() -> LabelledData:
    """Toy data whose labels follow its words, with four labels flipped."""
    texts, labels = toy(150, 3)
    for i in FLIPPED:
        labels[i] = [] if labels[i] else ["uang"]
    return LabelledData(texts, labels, TAX, extra={"ids": [f"r{i}" for i in range(150)]})


def test_audit_finds_the_flipped_labels(noisy):
    res = netral_nlp.audit_labels(noisy, params={"min_df": 1})
    assert sorted(i.index for i in res.issues) == FLIPPED
    assert [i.quality for i in res.issues] == sorted(i.quality for i in res.issues)
    for issue in res.issues:
        assert issue.id == f"r{issue.index}" and issue.given == noisy.labels[issue.index]
        assert ("uang" in issue.given) != ("uang" in issue.suggested)  # the flipped topic is disputed


def test_audit_one_topic_file_via_the_cli(tmp_path, noisy, capsys, monkeypatch):
    path = tmp_path / "gold.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "text", "uang"])
        out.writerows([f"r{i}", t, int("uang" in lab)] for i, (t, lab) in enumerate(zip(noisy.texts, noisy.labels)))
    monkeypatch.setattr("netral_nlp.training.audit._default_params", lambda: {"min_df": 1})
    code = main(["audit-labels", str(path), "--label-columns", "uang", "-q", "-o", str(tmp_path / "issues.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "look mislabelled" in out
    with open(tmp_path / "issues.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(int(r["index"]) for r in rows) == FLIPPED and {r["id"] for r in rows} == {f"r{i}" for i in FLIPPED}
    code = main(["audit-labels", str(path), "--label-columns", "uang", "-q", "--json", "--top", "2"])
    assert code == 0 and len(json.loads(capsys.readouterr().out)) == 2


def test_audit_errors(tmp_path, noisy, capsys, monkeypatch):
    small = LabelledData(noisy.texts[:5], noisy.labels[:5], TAX)
    with pytest.raises(netral_nlp.DataError, match="too few"):
        netral_nlp.audit_labels(small)
    code = main(["audit-labels", str(tmp_path / "none.csv")])
    assert code == 2 and "no such file" in capsys.readouterr().err
    real_import = builtins.__import__

    def no_cleanlab(name, *args, **kwargs):
        if name.startswith("cleanlab"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "cleanlab", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_cleanlab)
    with pytest.raises(MissingDependencyError, match=r"netral-nlp\[audit\]"):
        netral_nlp.audit_labels(noisy)
