"""The public namespace and every old module path of the flat layout still resolve.

``netral_nlp.__all__`` is the public API. The modules that moved into sub-packages keep
their old paths (deprecated aliases that warn and hand back the new module), and
``netral_nlp.data`` / ``.batch`` / ``.training`` / ``.evaluation``, now packages, still
export the names of the old modules.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import pytest

import netral_nlp

# old module path -> new module (the flat layout before the sub-packages)
MOVED = {
    "netral_nlp._tables": "netral_nlp.text._tables",
    "netral_nlp.chunking": "netral_nlp.text.chunking",
    "netral_nlp.taxonomy": "netral_nlp.labels.taxonomy",
    "netral_nlp.prediction": "netral_nlp.labels.prediction",
    "netral_nlp.thresholds": "netral_nlp.labels.thresholds",
    "netral_nlp.corpus": "netral_nlp.data.corpus",
    "netral_nlp.classifier": "netral_nlp.models.classifier",
    "netral_nlp.linear": "netral_nlp.models.linear",
    "netral_nlp.fastlinear": "netral_nlp.models.fastlinear",
    "netral_nlp.transformer": "netral_nlp.models.transformer",
    "netral_nlp.model_card": "netral_nlp.models.model_card",
    "netral_nlp.hub": "netral_nlp.models.hub",
    "netral_nlp.e5_import": "netral_nlp.models.e5_import",
    "netral_nlp.e5_verify": "netral_nlp.models.e5_verify",
    "netral_nlp.ensemble": "netral_nlp.models.ensemble",
    "netral_nlp.loading": "netral_nlp.models.loading",
    "netral_nlp.io": "netral_nlp.batch.readers",
    "netral_nlp.writers": "netral_nlp.batch.writers",
    "netral_nlp.resume": "netral_nlp.batch.resume",
    "netral_nlp.executors": "netral_nlp.batch.executors",
    "netral_nlp.distributed": "netral_nlp.batch.distributed",
    "netral_nlp.dump": "netral_nlp.batch.dump",
    "netral_nlp.hf_trainer": "netral_nlp.training.hf_trainer",
    "netral_nlp.e5_training": "netral_nlp.training.e5",
    "netral_nlp.recipes": "netral_nlp.training.recipes",
    "netral_nlp.plots": "netral_nlp.evaluation.plots",
}

# modules that became packages of the same name: the old module's names -> where they live now
OLD_MODULE_NAMES = {
    "netral_nlp.data": ("netral_nlp.data.labelled",
                        ["LabelledData", "load_labelled", "LABEL_FORMATS", "iter_jsonl", "holdout_indices"]),
    "netral_nlp.batch": ("netral_nlp.batch.labeler",
                         ["RawChunk", "ChunkResult", "RowError", "FieldSpec", "ChunkLabeler", "BoundedCache",
                          "get_field", "extract_text", "parse_json_line", "MISSING", "EXCERPT_CHARS"]),
    "netral_nlp.training": ("netral_nlp.training.trainer",
                            ["train", "TrainOptions", "DEFAULT_BASE_MODEL", "PROBLEM_TYPES", "LONG_TEXT_STRATEGIES"]),
    "netral_nlp.evaluation": ("netral_nlp.evaluation.report", ["evaluate", "EvaluationReport", "ERROR_KINDS"]),
}


def test_every_public_name_resolves():
    assert len(netral_nlp.__all__) == len(set(netral_nlp.__all__)) == 40
    namespace: dict = {}
    exec("from netral_nlp import *", namespace)
    for name in netral_nlp.__all__:
        assert namespace[name] is getattr(netral_nlp, name), name
    assert callable(netral_nlp.normalize) and callable(netral_nlp.load) and callable(netral_nlp.label_dump)


def test_public_names_are_the_sub_package_objects():
    from netral_nlp.batch.dump import label_dump
    from netral_nlp.models.loading import load
    from netral_nlp.text.normalize import normalize
    from netral_nlp.training.trainer import train

    assert (netral_nlp.label_dump, netral_nlp.load, netral_nlp.normalize, netral_nlp.train) == (
        label_dump, load, normalize, train)


@pytest.mark.parametrize("old, new", sorted(MOVED.items()))
def test_old_module_path_warns_and_is_the_new_module(old, new):
    target = importlib.import_module(new)
    saved = sys.modules.pop(old, None)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(old)
        assert module is target
        assert any(issubclass(w.category, DeprecationWarning) and new in str(w.message) for w in caught)
        for name in getattr(target, "__all__", ()):
            assert getattr(module, name) is getattr(target, name), f"{old}.{name}"
    finally:
        if saved is not None:
            sys.modules[old] = saved


def test_from_old_path_import_gives_the_same_objects():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from netral_nlp.distributed import label_dataset_ray
        from netral_nlp.dump import DumpSummary, label_dump
        from netral_nlp.loading import load, shipped_model_path
    from netral_nlp.batch.distributed import label_dataset_ray as new_ray
    from netral_nlp.models.loading import shipped_model_path as new_shipped

    assert (label_dump, DumpSummary, load) == (netral_nlp.label_dump, netral_nlp.DumpSummary, netral_nlp.load)
    assert label_dataset_ray is new_ray and shipped_model_path is new_shipped


def test_old_e5_path_has_the_model_and_its_training():
    from netral_nlp.models import e5 as model
    from netral_nlp.training import e5 as training

    sys.modules.pop("netral_nlp.e5", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("netral_nlp.e5")
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    for name in list(model.__all__) + ["shipped_e5_path"]:
        assert getattr(old, name) is getattr(model, name), name
    for name in training.__all__:
        assert getattr(old, name) is getattr(training, name), name
    assert not hasattr(model, "train_e5")  # the model layer no longer reaches up into training


def test_old_normalize_path_is_the_module_and_the_function_stays():
    module = importlib.import_module("netral_nlp.normalize")
    from netral_nlp.normalize import Normalizer, normalize

    assert module is importlib.import_module("netral_nlp.text.normalize")
    assert Normalizer is netral_nlp.Normalizer and normalize is netral_nlp.normalize
    assert callable(netral_nlp.normalize)


@pytest.mark.parametrize("package", sorted(OLD_MODULE_NAMES))
def test_modules_that_became_packages_keep_their_names(package):
    where, names = OLD_MODULE_NAMES[package]
    pkg, home = importlib.import_module(package), importlib.import_module(where)
    for name in names:
        assert getattr(pkg, name) is getattr(home, name), f"{package}.{name}"


def test_cli_entry_point_is_unchanged():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["scripts"] == {"netral-nlp": "netral_nlp.cli:main"}
    from netral_nlp.cli import main

    assert callable(main)


def test_label_dump_options_dataclass_and_keywords_agree(tmp_path):
    from netral_nlp.batch.options import DumpOptions

    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "Camat ikut kampanye paslon di balai desa"}\n{"title": "tanpa teks"}\n', encoding="utf-8")
    by_kwargs = netral_nlp.label_dump(src, tmp_path / "a.jsonl", workers=1, progress=False, score_digits=2)
    by_options = netral_nlp.label_dump(src, tmp_path / "b.jsonl",
                                       options=DumpOptions(workers=1, progress=False, score_digits=2))
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (by_kwargs.labelled, by_kwargs.errors) == (by_options.labelled, by_options.errors) == (1, 1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'no_such_option'"):
        netral_nlp.label_dump(src, tmp_path / "c.jsonl", no_such_option=1)
    with pytest.raises(ValueError, match="engine must be 'local' or 'ray'"):
        netral_nlp.label_dump(src, tmp_path / "c.jsonl", engine="spark", progress=False)
