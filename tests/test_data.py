"""``load_labelled``: every source and label format, and its errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from netral_nlp import DEFAULT_TAXONOMY, DataError, LabelledData, Taxonomy, load_labelled

TEXTS = ["amplop serangan fajar", "camat ikut kampanye", "cuaca cerah hari ini"]
LISTS = [["politik_uang"], ["netralitas_asn", "pelanggaran_kampanye"], []]


def flags_frame() -> pd.DataFrame:
    rows = []
    for text, labels in zip(TEXTS, LISTS):
        rows.append({"text": text, **{t: int(t in labels) for t in DEFAULT_TAXONOMY.ids}})
    return pd.DataFrame(rows)


def check(data: LabelledData, fmt: str = "list") -> None:
    assert data.texts == TEXTS
    assert data.labels == LISTS
    assert data.taxonomy == DEFAULT_TAXONOMY
    assert data.label_format == fmt
    assert data.y.shape == (3, 5) and data.y.sum() == 3


# ---------------------------------------------------------------- list column
def test_dataframe_list_column():
    check(load_labelled(pd.DataFrame({"text": TEXTS, "labels": LISTS})))


def test_dataset_list_column():
    import datasets

    check(load_labelled(datasets.Dataset.from_dict({"text": TEXTS, "labels": LISTS})))


def test_jsonl_list_column(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps({"text": t, "labels": lab}) for t, lab in zip(TEXTS, LISTS)) + "\n\n")
    check(load_labelled(path))


def test_json_file_list_column(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"text": t, "labels": lab} for t, lab in zip(TEXTS, LISTS)]))
    check(load_labelled(str(path)))


def test_csv_json_list_strings(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": TEXTS, "labels": [json.dumps(lab) for lab in LISTS]}).to_csv(path, index=False)
    check(load_labelled(path))


@pytest.mark.parametrize("sep", [";", "|", ","])
def test_csv_delimited_label_strings(tmp_path, sep):
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": TEXTS, "topics": [sep.join(lab) for lab in LISTS]}).to_csv(path, index=False)
    check(load_labelled(path, label_column="topics"))


def test_parquet_list_column(tmp_path):
    path = tmp_path / "d.parquet"
    pd.DataFrame({"text": TEXTS, "labels": LISTS}).to_parquet(path)
    check(load_labelled(path))


def test_texts_labels_pair_and_records():
    check(load_labelled((TEXTS, LISTS)))
    check(load_labelled([{"text": t, "labels": lab} for t, lab in zip(TEXTS, LISTS)]))


# ---------------------------------------------------------------- 0/1 columns
def test_flag_columns_dataframe_auto_detected():
    check(load_labelled(flags_frame()), "columns")


def test_flag_columns_csv_parquet_dataset(tmp_path):
    import datasets

    frame = flags_frame()
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    cols = DEFAULT_TAXONOMY.ids
    check(load_labelled(tmp_path / "d.csv", label_columns=cols), "columns")
    check(load_labelled(tmp_path / "d.parquet", label_columns=cols), "columns")
    check(load_labelled(datasets.Dataset.from_pandas(frame), label_columns=cols), "columns")


def test_flag_columns_define_a_custom_taxonomy_in_order():
    frame = pd.DataFrame({"body": ["x y", "z"], "spam": [1, 0], "ham": [True, True]})
    data = load_labelled(frame, text_column="body", label_columns=["spam", "ham"])
    assert data.taxonomy.ids == ["spam", "ham"]
    assert data.labels == [["spam", "ham"], ["ham"]]


@pytest.mark.parametrize("value", ["yes", "true", "1", 1.0])
def test_flag_values_accept_common_truthy_spellings(value):
    frame = pd.DataFrame({"text": ["t"], "a": [value], "b": [0]})
    assert load_labelled(frame, label_columns=["a", "b"]).labels == [["a"]]


# ---------------------------------------------------------------- single-label column
def test_single_label_column(tmp_path):
    frame = pd.DataFrame({"text": TEXTS, "label": ["politik_uang", "hoaks", "politik_uang"]})
    data = load_labelled(frame)
    assert data.label_format == "single" and data.is_single_label
    assert data.labels == [["politik_uang"], ["hoaks"], ["politik_uang"]]
    assert data.taxonomy == DEFAULT_TAXONOMY
    frame.to_csv(tmp_path / "s.csv", index=False)
    assert load_labelled(tmp_path / "s.csv").labels == data.labels


def test_custom_labels_infer_sorted_taxonomy():
    data = load_labelled(pd.DataFrame({"text": ["a", "b", "c"], "label": ["sport", "economy", "sport"]}))
    assert data.taxonomy.ids == ["economy", "sport"]


def test_explicit_taxonomy_is_used():
    tax = Taxonomy.from_labels(["sport", "economy", "politics"])
    data = load_labelled(pd.DataFrame({"text": ["a"], "label": ["sport"]}), taxonomy=tax)
    assert data.taxonomy is tax and data.y.tolist() == [[1, 0, 0]]


def test_corpus_sources():
    dev = load_labelled("corpus:dev")
    assert len(dev) > 50 and dev.taxonomy == DEFAULT_TAXONOMY and dev.name == "corpus:dev"
    assert any(dev.labels) and all(isinstance(t, str) and t for t in dev.texts)


def test_split_is_seeded_and_disjoint():
    data = load_labelled((["t%d" % i for i in range(20)], [[] for _ in range(20)]))
    rest, held = data.split(0.25, seed=3)
    assert len(held) == 5 and len(rest) == 15
    assert not set(rest.texts) & set(held.texts)
    assert data.split(0.25, seed=3)[1].texts == held.texts


# ---------------------------------------------------------------- errors
def test_missing_text_column_lists_columns():
    with pytest.raises(DataError, match=r"no text column 'text'.*'body'"):
        load_labelled(pd.DataFrame({"body": ["x"], "labels": [[]]}))


def test_empty_text_names_the_csv_line(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": ["ok", "  "], "labels": ["[]", "[]"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"d\.csv: line 3: column 'text' is empty"):
        load_labelled(path)


def test_non_string_text_names_the_row():
    with pytest.raises(DataError, match=r"row 1: column 'text' is a int"):
        load_labelled(pd.DataFrame({"text": ["ok", 5], "labels": [[], []]}, dtype=object))
    with pytest.raises(DataError, match=r"row 0: column 'text' is missing"):
        load_labelled(pd.DataFrame({"text": [None], "labels": [[]]}))


def test_unknown_label_names_row_and_known_labels():
    tax = Taxonomy.from_labels(["a", "b"])
    with pytest.raises(DataError, match=r"records: row 2: unknown label 'c'; known: \['a', 'b'\]"):
        load_labelled([{"text": "x", "labels": ["a"]}, {"text": "y", "labels": ["c"]}], taxonomy=tax)


def test_bad_flag_value_names_row_and_column():
    frame = pd.DataFrame({"text": ["x", "y"], "a": [0, 2], "b": [1, 0]})
    with pytest.raises(DataError, match=r"row 1: column 'a' must be 0 or 1, got 2"):
        load_labelled(frame, label_columns=["a", "b"])


def test_missing_label_columns_are_listed():
    with pytest.raises(DataError, match=r"label columns \['hoaks'\] not found"):
        load_labelled(pd.DataFrame({"text": ["x"], "spam": [1]}), label_columns=["spam", "hoaks"])


def test_no_label_column_explains_the_formats():
    with pytest.raises(DataError, match="no label column found.*'labels'.*'label'.*0/1"):
        load_labelled(pd.DataFrame({"text": ["x"]}))


def test_invalid_jsonl_line_is_named(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "labels": []}\n{"text": oops}\n')
    with pytest.raises(DataError, match=r"d\.jsonl: line 2: invalid JSON"):
        load_labelled(path)


def test_bad_label_cell_and_empty_single_label(tmp_path):
    with pytest.raises(DataError, match=r"row 1: column 'labels' holds an invalid JSON list"):
        load_labelled([{"text": "x", "labels": "[\"hoaks\""}])
    with pytest.raises(DataError, match=r"single-label column 'label' is empty"):
        load_labelled(pd.DataFrame({"text": ["x", "y"], "label": ["hoaks", None]}))


def test_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_labelled(tmp_path / "missing.csv")
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(DataError, match="unsupported file type '.xlsx'"):
        load_labelled(tmp_path / "d.xlsx")
    with pytest.raises(TypeError, match="labelled data must be"):
        load_labelled(42)
    with pytest.raises(DataError, match="unknown corpus split"):
        load_labelled("corpus:validation")


def test_pair_length_mismatch():
    with pytest.raises(DataError, match="2 texts but 1 label rows"):
        load_labelled((["a", "b"], [[]]))


def test_y_matrix_follows_taxonomy_order():
    data = load_labelled((["x"], [["hoaks", "politik_uang"]]))
    assert data.y.tolist() == [[0, 1, 1, 0, 0]]
    assert np.issubdtype(data.y.dtype, np.integer)
