"""Memory of batch labelling is bounded by bytes as well as by counts: chunks, the
duplicate caches, the per-word n-gram cache and the model batches (issue 14, item 7; the
peak RSS itself is measured by benchmarks/bench_memory.py --suite shapes)."""

from __future__ import annotations

import json
import random
import string

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import netral_nlp
from netral_nlp.batch.cache import BoundedCache
from netral_nlp.batch.labeler import DEFAULT_CACHE_BYTES, ChunkLabeler, FieldSpec, char_batches
from netral_nlp.batch.readers import detect_input, read_chunks
from netral_nlp.batch.writers import OutputLayout
from netral_nlp.models.fastlinear import WORD_CACHE_MAX_CHARS, FastLinearScorer


@pytest.fixture(scope="module")
def clf() -> netral_nlp.LinearTopicClassifier:
    return netral_nlp.load()


def test_bounded_cache_evicts_by_bytes_least_recent_first():
    cache = BoundedCache(1000, max_bytes=1000, sizeof=lambda k, v: len(v))
    for i in range(10):
        cache.put(i, "x" * 100)
    assert cache.get(0) == "x" * 100  # 0 becomes the most recently used
    for i in range(10, 19):
        cache.put(i, "x" * 100)
    assert len(cache) == 10 and cache.nbytes == 1000
    assert cache.get(0) is not None and cache.get(1) is None and cache.get(18) is not None
    cache.put("huge", "x" * 1001)  # larger than the whole budget: not kept, nothing evicted
    assert cache.get("huge") is None and len(cache) == 10
    cache.put(18, "y" * 10)  # replacing an entry re-counts its size
    assert cache.nbytes == 910
    counted = BoundedCache(3)  # no byte bound: entries only
    for i in range(5):
        counted.put(i, "z" * 10_000)
    assert len(counted) == 3


def test_duplicate_caches_of_the_labeler_have_a_byte_bound(clf):
    labeler = ChunkLabeler(clf, FieldSpec(), OutputLayout("jsonl", tuple(clf.labels)), cache_size=10**9)
    assert labeler._raw.max_bytes == labeler._norm.max_bytes == DEFAULT_CACHE_BYTES


def _long_words(n: int, chars: int = 50_000, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(string.ascii_lowercase, k=chars)) for _ in range(n)]


def test_word_cache_skips_huge_words_and_stays_under_its_byte_budget(clf):
    scorer = FastLinearScorer(clf, word_cache_bytes=200_000)
    words = _long_words(8)
    scores = scorer(words)  # before: ~5 MB of cached ids per distinct 50,000-char word
    assert np.allclose(scores, clf._predict_scores(words), atol=1e-5)
    char_block = scorer._blocks[1]
    assert char_block.cache_bytes == 0 and not any(len(w) > WORD_CACHE_MAX_CHARS for w in char_block._word_ids)
    rng = random.Random(1)
    texts = [" ".join("".join(rng.choices(string.ascii_lowercase, k=12)) for _ in range(50)) for _ in range(100)]
    for start in range(0, 100, 10):
        scorer(texts[start:start + 10])
        assert char_block.cache_bytes <= 200_000
    assert np.allclose(scorer(texts[:5]), clf._predict_scores(texts[:5]), atol=1e-5)


def test_model_batches_are_cut_by_characters():
    texts = ["a" * 10, "b" * 10, "c" * 25, "d" * 5, "e" * 5]
    assert char_batches(texts, 20) == [["a" * 10, "b" * 10], ["c" * 25], ["d" * 5, "e" * 5]]
    assert char_batches([], 20) == []


def test_jsonl_and_csv_chunks_end_at_the_byte_budget(tmp_path):
    rows = [json.dumps({"id": i, "text": "kata " * 2000}).encode() + b"\n" for i in range(40)]  # ~10 KB each
    (tmp_path / "in.jsonl").write_bytes(b"".join(rows))
    chunks = list(read_chunks(detect_input(tmp_path / "in.jsonl"), None, 2000, max_chunk_bytes=35_000))
    assert [r for c in chunks for r in c.rows] == list(range(1, 41))
    assert max(sum(len(x) for x in c.items) for c in chunks) <= 35_000 + len(rows[0])
    assert len(chunks) >= 10  # not one chunk of 40 rows
    (tmp_path / "in.csv").write_text("id,text\n" + "".join(f'{i},"{"kata " * 2000}"\n' for i in range(40)))
    chunks = list(read_chunks(detect_input(tmp_path / "in.csv"), None, 2000, max_chunk_bytes=35_000))
    assert [r for c in chunks for r in c.rows] == list(range(1, 41)) and len(chunks) >= 10


def test_parquet_batches_follow_the_row_width(tmp_path):
    pq.write_table(pa.table({"text": ["kata " * 2000] * 40}), tmp_path / "in.parquet")
    chunks = list(read_chunks(detect_input(tmp_path / "in.parquet"), None, 2000, max_chunk_bytes=35_000))
    assert [r for c in chunks for r in c.rows] == list(range(1, 41))
    assert max(len(c.rows) for c in chunks) <= 4
