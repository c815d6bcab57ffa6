"""The netral-nlp command line: predict, evaluate, info (in-process and as a real process)."""

import json
import subprocess
import sys

import pytest

from netral_nlp.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_texts_prints_a_table(capsys):
    code, out, _ = run(capsys, "predict", "Camat ikut kampanye paslon 02 di balai desa", "Timnas menang")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["#", "topics", "asn"]
    assert "asn" in lines[2] and lines[3].split()[1] == "-"


def test_predict_json(capsys):
    code, out, _ = run(capsys, "predict", "--json", "Serangan fajar amplop 100 ribu", "")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 2
    assert "politik_uang" in rows[0]["labels"] and rows[1]["labels"] == []
    assert set(rows[0]["scores"]) == {"netralitas_asn", "politik_uang", "hoaks", "sara_ujaran_kebencian",
                                      "pelanggaran_kampanye"}


def test_predict_input_files(capsys, tmp_path):
    txt = tmp_path / "posts.txt"
    txt.write_text("amplop serangan fajar\n\nhoaks surat suara sudah dicoblos\n", encoding="utf-8")
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text(json.dumps({"isi": "amplop"}) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "predict", "--json", "--input", str(txt))
    assert code == 0 and [r["text"] for r in json.loads(out)] == ["amplop serangan fajar", "hoaks surat suara sudah dicoblos"]
    code, out, _ = run(capsys, "predict", "--json", "--input", str(jsonl), "--text-field", "isi")
    assert code == 0 and json.loads(out)[0]["text"] == "amplop"


def test_predict_explain(capsys):
    code, out, _ = run(capsys, "predict", "--explain", "Warga terima amplop serangan fajar dari caleg")
    assert code == 0 and "politik_uang:" in out and "amplop" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["predict"], "nothing to label"),
        (["predict", "--input", "/no/such/file.txt"], "no such file"),
        (["predict", "x", "--model", "./no/such/model"], "no such model folder"),
        (["predict", "x", "--threshold", "2"], "[0, 1]"),
    ],
)
def test_errors_are_one_line_without_traceback(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_bad_jsonl_line_is_named(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{broken\n', encoding="utf-8")
    code, _, err = run(capsys, "predict", "--input", str(bad))
    assert code == 2 and "bad.jsonl: line 2" in err


def test_evaluate_prints_per_topic_table(capsys):
    code, out, _ = run(capsys, "evaluate")
    assert code == 0
    for topic in ("netralitas_asn", "politik_uang", "hoaks", "sara_ujaran_kebencian", "pelanggaran_kampanye"):
        assert topic in out
    assert "corpus:test" in out and "macro-F1" in out


def test_evaluate_json(capsys):
    code, out, _ = run(capsys, "evaluate", "--json", "--split", "dev")
    data = json.loads(out)
    assert code == 0 and data["data"] == "corpus:dev"
    assert 0.5 < data["summary"]["macro_f1"] <= 1.0
    assert [r["topic"] for r in data["per_topic"]][0] == "netralitas_asn"


def test_info(capsys):
    code, out, _ = run(capsys, "info")
    assert code == 0 and "Politik uang" in out and "threshold" in out and "corpus_test" in out
    code, out, _ = run(capsys, "info", "--json")
    assert json.loads(out)["model_type"] == "linear"


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run([sys.executable, "-m", "netral_nlp", "predict", "--json", "amplop serangan fajar"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "politik_uang" in json.loads(proc.stdout)[0]["labels"]


def test_help_lists_the_commands():
    proc = subprocess.run([sys.executable, "-m", "netral_nlp", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for cmd in ("predict", "evaluate", "info"):
        assert cmd in proc.stdout


def test_list_recipes_prints_learning_rates_readably(capsys):
    from netral_nlp.cli import main

    main(["train", "--list-recipes"])
    out = capsys.readouterr().out
    assert "0.000" not in out
    assert "e-05" in out
