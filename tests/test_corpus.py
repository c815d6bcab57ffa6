"""Integrity of the project's own corpus (data/parts/*.jsonl) and its split."""

from collections import Counter

import pytest

from netral_nlp import DEFAULT_TAXONOMY, iter_corpus, load_corpus, normalize, split_of

REGISTERS = {"news", "headline", "twitter", "forward", "comment", "official", "factcheck", "opinion", "forum"}
SHORT_REGISTERS = {"news", "twitter", "forward", "comment"}
ELECTIONS = {"pemilu", "pilkada", "pilkades", "none"}


@pytest.fixture(scope="module")
def records():
    return list(iter_corpus())


def test_size_and_label_balance(records):
    # corpus v2: real-world proportions (most texts carry no topic) and long texts
    assert len(records) >= 20_000
    counts = Counter(lab for r in records for lab in r["labels"])
    for topic in DEFAULT_TAXONOMY.ids:
        assert counts[topic] >= 1000, (topic, counts[topic])
    assert sum(1 for r in records if not r["labels"]) >= 9000 + 1624  # v2 added >= 9,000 no-topic texts
    assert sum(1 for r in records if 800 <= len(r["text"]) <= 3000) >= 2000
    topical = [r for r in records if r["labels"]]
    assert sum(1 for r in topical if len(r["labels"]) >= 2) / len(topical) >= 0.15


def test_fields_are_valid(records):
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1][:5]
    for r in records:
        assert isinstance(r["text"], str) and r["text"].strip(), r["id"]
        assert set(r["labels"]) <= set(DEFAULT_TAXONOMY.ids), r["id"]
        assert len(r["labels"]) == len(set(r["labels"])), r["id"]
        assert r["register"] in REGISTERS, r["id"]
        assert r["election"] in ELECTIONS, r["id"]
        assert isinstance(r["region"], str) and r["region"], r["id"]


def test_every_register_is_well_represented(records):
    counts = Counter(r["register"] for r in records)
    assert all(counts[reg] >= 150 for reg in REGISTERS - {"headline"}), counts
    assert all(counts[reg] >= 1500 for reg in SHORT_REGISTERS), counts


def test_no_normalised_text_appears_twice(records):
    counts = Counter(normalize(r["text"]) for r in records)
    dupes = [t for t, n in counts.items() if n > 1]
    assert not dupes, dupes[:3]


def test_no_text_in_two_splits(records):
    seen = {}
    for r in records:
        key = normalize(r["text"])
        assert seen.setdefault(key, r["split"]) == r["split"]


def test_split_is_deterministic_and_roughly_70_15_15(records):
    counts = Counter(r["split"] for r in records)
    n = len(records)
    assert 0.65 < counts["train"] / n < 0.75
    assert 0.11 < counts["dev"] / n < 0.19 and 0.11 < counts["test"] / n < 0.19
    assert all(split_of(r["text"]) == r["split"] for r in records[:200])
    assert split_of("Teks yang sama") == split_of("teks   yang SAMA")


def test_load_corpus_returns_a_dataset_of_one_split():
    ds = load_corpus("test")
    assert set(ds.column_names) >= {"id", "text", "labels", "register", "split"}
    assert set(ds["split"]) == {"test"}
    with pytest.raises(ValueError, match="split must be one of"):
        list(iter_corpus("validation"))
