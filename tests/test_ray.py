"""The Ray Data adapter on a local Ray instance (netral_nlp.batch.distributed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import netral_nlp
from netral_nlp.batch.distributed import label_dataset_ray
from netral_nlp import MissingDependencyError, label_dump

TEXTS = [
    "Camat ikut kampanye paslon 02 di balai desa",
    "Ada bagi-bagi amplop 50rb semalam sebelum pencoblosan",
    "HOAKS surat suara sudah tercoblos di pelabuhan",
    "Cuaca cerah hari ini",
]


@pytest.fixture(scope="module")
def ray_local():
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    yield ray
    ray.shutdown()


def _dump(path: Path) -> Path:
    lines = [json.dumps({"id": i, "text": TEXTS[i % 4] + f" {i % 50}"}).encode() for i in range(600)]
    lines[7] = b"{not json"
    lines[20] = b'{"id": 20, "text": null}'
    lines[33] = b""
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("dst_name", ["o.jsonl", "o.parquet"])
def test_ray_engine_output_equals_local_engine(tmp_path, ray_local, dst_name):
    src = _dump(tmp_path / "in.jsonl")
    local = label_dump(src, tmp_path / f"local-{dst_name}", id_field="id", progress=False)
    ray_summary = label_dump(src, tmp_path / f"ray-{dst_name}", id_field="id", engine="ray", progress=False,
                             ray_options={"concurrency": 1, "batch_size": 128})
    stem = dst_name.split(".")[0]
    if dst_name.endswith(".parquet"):
        assert pq.read_table(tmp_path / f"ray-{dst_name}").equals(pq.read_table(tmp_path / f"local-{dst_name}"))
    else:
        assert (tmp_path / f"ray-{dst_name}").read_bytes() == (tmp_path / f"local-{dst_name}").read_bytes()
    assert (tmp_path / f"ray-{stem}.errors.jsonl").read_bytes() == (tmp_path / f"local-{stem}.errors.jsonl").read_bytes()
    assert (ray_summary.rows_read, ray_summary.labelled, ray_summary.errors) == (local.rows_read, local.labelled, 2)
    assert ray_summary.error_reasons == local.error_reasons


def test_label_dataset_ray_keeps_order_errors_and_fields(ray_local):
    records = [{"id": i, "post": {"text": t}} for i, t in enumerate(TEXTS)] + [{"id": 99, "post": {"text": None}}]
    ds = ray_local.data.from_items(records * 3)
    out = label_dataset_ray(ds, text_field="post.text", id_field="id", keep_fields=True,
                                                   batch_size=4, concurrency=1).take_all()
    assert [r["id"] for r in out] == [str(r["id"]) for r in records * 3]
    clf = netral_nlp.load()
    expected = [p.labels for p in clf.predict(TEXTS)]
    assert [r["labels"] for r in out[:4]] == expected
    assert out[4]["error"] == "missing text: field 'post.text' is null" and out[4]["labels"] is None
    assert out[4]["input.post"] == {"text": None} and out[0]["error"] is None
    assert out[0]["score_hoaks"] == pytest.approx(clf.predict(TEXTS[0]).scores["hoaks"], abs=1e-4)


def test_ray_engine_refuses_resume_and_model_objects(tmp_path):
    src = _dump(tmp_path / "in.jsonl")
    with pytest.raises(netral_nlp.DataError, match="resume"):
        label_dump(src, tmp_path / "o.jsonl", engine="ray", resume=True, progress=False)
    pytest.importorskip("ray")
    with pytest.raises(TypeError, match="each Ray actor loads"):
        label_dump(src, tmp_path / "o.jsonl", netral_nlp.load(), engine="ray", progress=False)


def test_missing_ray_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    monkeypatch.setitem(sys.modules, "ray.data", None)
    src = _dump(tmp_path / "in.jsonl")
    with pytest.raises(MissingDependencyError, match=r'pip install "netral-nlp\[ray\]"'):
        label_dump(src, tmp_path / "o.jsonl", engine="ray", progress=False)
    with pytest.raises(MissingDependencyError):
        label_dataset_ray(object())
