"""``clf.explain(text)``: a topic's own keyword ranks high (linear contributions for the
TF-IDF model, occlusion for transformer models)."""

from __future__ import annotations

import pytest

import netral_nlp
from netral_nlp import LinearTopicClassifier, Taxonomy

CASES = [
    ("Warga terima amplop serangan fajar dari caleg", "politik_uang", {"amplop"}),
    ("Camat dan kepala desa ikut kampanye paslon, ASN harus netral", "netralitas_asn", {"asn", "netral", "camat"}),
    ("Hoaks: surat suara sudah dicoblos beredar, KPU membantah", "hoaks", {"hoaks"}),
    ("Ujaran kebencian bernada SARA terhadap etnis dan agama tertentu", "sara_ujaran_kebencian",
     {"agama", "kebencian", "etnis", "sara"}),
    ("Baliho caleg dipasang di sekolah, kampanye di luar jadwal", "pelanggaran_kampanye", {"kampanye", "baliho"}),
]


@pytest.fixture(scope="module")
def default_model() -> netral_nlp.TopicClassifier:
    return netral_nlp.load()


def _check_shape(expl: dict, topic: str) -> list[tuple[str, float]]:
    words = expl[topic]
    weights = [w for _, w in words]
    assert words and all(isinstance(p, str) and p for p, _ in words)
    assert all(w > 0 for w in weights) and weights == sorted(weights, reverse=True)
    return words


@pytest.mark.parametrize("text, topic, keywords", CASES, ids=[c[1] for c in CASES])
def test_default_model_topic_keyword_ranks_first(default_model, text, topic, keywords):
    expl = default_model.explain(text)
    assert topic in default_model.predict(text).labels and topic in expl
    words = _check_shape(expl, topic)
    assert words[0][0] in keywords, words  # the topic's own keyword is the strongest phrase


def test_filler_words_rank_below_the_keyword(default_model):
    words = dict(default_model.explain("Warga terima amplop serangan fajar dari caleg", top_k=20)["politik_uang"])
    assert words["amplop"] > words.get("dari", 0.0) and words["amplop"] > words.get("warga", 0.0)


def test_explain_arguments(default_model):
    text = "Warga terima amplop serangan fajar dari caleg"
    assert len(default_model.explain(text, top_k=2)["politik_uang"]) == 2
    only = default_model.explain(text, topics=["hoaks"])
    assert list(only) == ["hoaks"]  # an unpredicted topic on request; 'amplop' does not push hoaks much
    assert default_model.explain("Timnas menang 2-0 tadi malam") == {}  # no topic predicted
    assert default_model.explain("🙂🙂", topics=["hoaks"]) == {"hoaks": []}
    with pytest.raises(TypeError, match="expected str"):
        default_model.explain(None)  # type: ignore[arg-type]


def test_controlled_linear_model_credits_its_keyword():
    # Each topic has exactly one informative word; everything else is shared filler.
    filler = ["hari ini warga kota", "kata mereka kemarin", "di sana pada pagi", "menurut sumber lain"]
    texts, labels = [], []
    for i in range(40):
        f = filler[i % len(filler)]
        texts += [f"{f} zebra lewat", f"{f} yoyo lewat", f"{f} lewat saja"]
        labels += [["x"], ["y"], []]
    clf = LinearTopicClassifier(Taxonomy.from_labels(["x", "y"]), C=4.0, min_df=1).fit(texts, labels)
    expl = clf.explain("kata mereka zebra lewat", topics=["x", "y"])
    assert expl["x"][0][0] == "zebra"
    assert all(word != "zebra" for word, _ in expl["y"])  # zebra pushes y down, never up


def test_transformer_occlusion_credits_the_keyword(tiny_finetuned_model_dir):
    clf = netral_nlp.load(tiny_finetuned_model_dir)
    text = "Warga terima amplop serangan fajar dari caleg"
    expl = clf.explain(text, topics=["politik_uang"])
    words = _check_shape(expl, "politik_uang")
    top = [w for w, _ in words[:3]]
    assert {"amplop", "serangan", "fajar"} & set(top), words
