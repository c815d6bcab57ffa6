"""Sliding windows, head+tail truncation and window-score aggregation on a toy tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

from netral_nlp.text.chunking import (
    aggregate,
    check_window,
    encode_chunks,
    encode_head_tail,
    pad_batch,
    select_evenly,
)

WORDS = "a b c d e f g h i j k l".split()


@pytest.fixture(scope="module")
def toy_tokenizer():
    """One token per word: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3, then a=4, b=5, …"""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    vocab.update({w: i + 4 for i, w in enumerate(WORDS)})
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]")


def words(tokenizer, ids):
    return " ".join(tokenizer.convert_ids_to_tokens(ids))


def test_windows_overlap_by_stride(toy_tokenizer):
    chunks = encode_chunks(toy_tokenizer, ["a b c d e f g h", "i j"], max_length=5, stride=1)
    assert [words(toy_tokenizer, ids) for ids in chunks.input_ids] == [
        "[CLS] a b c [SEP]",
        "[CLS] c d e [SEP]",
        "[CLS] e f g [SEP]",
        "[CLS] g h [SEP]",
        "[CLS] i j [SEP]",
    ]
    assert chunks.owners == [0, 0, 0, 0, 1]
    assert chunks.n_texts == 2 and len(chunks) == 5


def test_stride_zero_gives_disjoint_windows(toy_tokenizer):
    chunks = encode_chunks(toy_tokenizer, ["a b c d e f g"], max_length=5, stride=0)
    assert [words(toy_tokenizer, ids) for ids in chunks.input_ids] == [
        "[CLS] a b c [SEP]", "[CLS] d e f [SEP]", "[CLS] g [SEP]"]


def test_short_text_is_one_window(toy_tokenizer):
    chunks = encode_chunks(toy_tokenizer, ["a b"], max_length=8, stride=2)
    assert [words(toy_tokenizer, ids) for ids in chunks.input_ids] == ["[CLS] a b [SEP]"]


def test_max_chunks_keeps_evenly_spaced_windows_first_and_last(toy_tokenizer):
    text = " ".join(WORDS[:10])  # a … j: ten windows of one token each
    chunks = encode_chunks(toy_tokenizer, [text, "k l"], max_length=3, stride=0, max_chunks=4)
    assert [words(toy_tokenizer, ids) for ids in chunks.input_ids] == [
        "[CLS] a [SEP]", "[CLS] d [SEP]", "[CLS] g [SEP]", "[CLS] j [SEP]", "[CLS] k [SEP]", "[CLS] l [SEP]"]
    assert chunks.owners == [0, 0, 0, 0, 1, 1]


def test_max_chunks_bounds_a_huge_text(toy_tokenizer):
    text = "a b c d " * 50_000  # 200k tokens
    chunks = encode_chunks(toy_tokenizer, [text], max_length=16, stride=4, max_chunks=8)
    assert len(chunks) == 8
    assert all(len(ids) <= 16 for ids in chunks.input_ids)


def test_select_evenly():
    assert select_evenly(3, 5) == [0, 1, 2]
    assert select_evenly(10, 4) == [0, 3, 6, 9]
    assert select_evenly(100, 2) == [0, 99]
    assert select_evenly(7, 1) == [0]


@pytest.mark.parametrize("max_length, stride", [(5, 3), (5, -1), (2, 0), (3, 1)])
def test_invalid_windows_are_rejected(toy_tokenizer, max_length, stride):
    with pytest.raises(ValueError, match="stride|max_length"):
        check_window(toy_tokenizer, max_length, stride)


def test_max_chunks_must_be_positive(toy_tokenizer):
    with pytest.raises(ValueError, match="max_chunks"):
        encode_chunks(toy_tokenizer, ["a"], max_length=5, stride=0, max_chunks=0)


def test_aggregate_max_and_mean():
    scores = np.array([[0.1, 0.9], [0.5, 0.3], [0.7, 0.2], [0.4, 0.4]])
    owners = [0, 0, 0, 2]
    np.testing.assert_allclose(aggregate(scores, owners, 3, "max"), [[0.7, 0.9], [0.0, 0.0], [0.4, 0.4]])
    np.testing.assert_allclose(aggregate(scores, owners, 3, "mean"),
                               [[1.3 / 3, 1.4 / 3], [0.0, 0.0], [0.4, 0.4]])


def test_aggregate_rejects_unknown_method_and_bad_shapes():
    with pytest.raises(ValueError, match="aggregation"):
        aggregate(np.zeros((1, 2)), [0], 1, "median")
    with pytest.raises(ValueError, match="owners"):
        aggregate(np.zeros((2, 2)), [0], 1, "max")


def test_head_tail_keeps_start_and_end(toy_tokenizer):
    text = " ".join(WORDS[:10])  # a … j
    out = encode_head_tail(toy_tokenizer, [text, "a b"], max_length=6, head=1)
    assert words(toy_tokenizer, out[0]) == "[CLS] a h i j [SEP]"
    assert words(toy_tokenizer, out[1]) == "[CLS] a b [SEP]"
    # default head: a quarter of the content budget
    out = encode_head_tail(toy_tokenizer, [text], max_length=10)
    assert words(toy_tokenizer, out[0]) == "[CLS] a b e f g h i j [SEP]"
    assert all(len(ids) <= 10 for ids in out)


def test_pad_batch_right_pads_with_mask():
    ids, mask = pad_batch([[5, 6, 7], [8]], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]
