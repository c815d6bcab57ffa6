"""Long texts for encoder models: sliding-window chunks, head+tail truncation, aggregation.

:func:`pad_batch` stays hand-written: ``tokenizer.pad`` measured ~5x slower per 64-window batch.

Prediction (:func:`encode_chunks`): each text is tokenised once by the model's fast
tokenizer and cut into windows of at most ``max_length`` tokens (special tokens included)
that overlap by ``stride`` tokens (the Hugging Face ``stride`` convention). A text gives at
most ``max_chunks`` windows: when it would give more, ``max_chunks`` windows evenly spaced
over the text (always the first and the last) are kept, so a 1 MB string costs at most
``max_chunks`` model inputs. The per-window scores are combined with :func:`aggregate`
(``"max"``: a topic found anywhere in the article counts; ``"mean"``: the average window).

Training (:func:`encode_head_tail`): one input per text; a text longer than ``max_length``
keeps its first ``head`` and last ``max_length - head - specials`` tokens (head+tail
truncation, Sun et al. 2019, "How to Fine-Tune BERT for Text Classification?").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

AGGREGATIONS = ("max", "mean")
DEFAULT_MAX_CHUNKS = 64


@dataclass
class Chunks:
    """Model inputs for a list of texts: one row per window.

    Attributes:
        input_ids: token ids of each window (special tokens included).
        owners: for each window, the index of the text it came from.
        n_texts: number of texts encoded.
    """

    input_ids: list[list[int]]
    owners: list[int]
    n_texts: int

    def __len__(self) -> int:
        return len(self.input_ids)


def check_window(tokenizer: Any, max_length: int, stride: int) -> None:
    """Raise ``ValueError`` unless ``(max_length, stride)`` leaves room for new tokens per window."""
    n_special = tokenizer.num_special_tokens_to_add(pair=False)
    if max_length <= n_special:
        raise ValueError(f"max_length must exceed the {n_special} special tokens, got {max_length}")
    if not 0 <= stride < max_length - n_special:
        raise ValueError(
            f"stride (token overlap between windows) must lie in [0, {max_length - n_special}) "
            f"for max_length={max_length}, got {stride}"
        )


def encode_chunks(
    tokenizer: Any,
    texts: Sequence[str],
    max_length: int,
    stride: int,
    max_chunks: int = DEFAULT_MAX_CHUNKS,
) -> Chunks:
    """Tokenise ``texts`` into overlapping windows (see the module docstring)."""
    check_window(tokenizer, max_length, stride)
    if max_chunks < 1:
        raise ValueError(f"max_chunks must be at least 1, got {max_chunks}")
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError(f"sliding windows need a fast (Rust) tokenizer, got {type(tokenizer).__name__}")
    enc = tokenizer(
        list(texts), truncation=True, max_length=max_length, stride=stride,
        return_overflowing_tokens=True, return_attention_mask=False, return_token_type_ids=False,
    )
    mapping = list(enc["overflow_to_sample_mapping"])
    ids = enc["input_ids"]
    input_ids: list[list[int]] = []
    owners: list[int] = []
    start = 0
    while start < len(mapping):
        end = start
        while end < len(mapping) and mapping[end] == mapping[start]:
            end += 1
        for j in select_evenly(end - start, max_chunks):
            input_ids.append(list(ids[start + j]))
            owners.append(int(mapping[start]))
        start = end
    return Chunks(input_ids, owners, len(texts))


def select_evenly(n: int, k: int) -> list[int]:
    """Indices of ``min(n, k)`` items evenly spaced over ``range(n)`` (first and last included)."""
    if n <= k:
        return list(range(n))
    if k == 1:
        return [0]
    return sorted({int(round(i * (n - 1) / (k - 1))) for i in range(k)})


def aggregate(chunk_scores: np.ndarray, owners: Sequence[int], n_texts: int, how: str = "max") -> np.ndarray:
    """Combine window scores ``(n_windows, k)`` into text scores ``(n_texts, k)``.

    ``how="max"`` takes each topic's highest window score, ``"mean"`` the average.
    A text without any window scores 0.
    """
    if how not in AGGREGATIONS:
        raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {how!r}")
    scores = np.asarray(chunk_scores, dtype=np.float64)
    owners_arr = np.asarray(owners, dtype=np.int64)
    if scores.ndim != 2 or len(scores) != len(owners_arr):
        raise ValueError(f"chunk_scores {scores.shape} does not match {len(owners_arr)} owners")
    out = np.zeros((n_texts, scores.shape[1]), dtype=np.float64)
    if how == "max":
        out[:] = -np.inf
        np.maximum.at(out, owners_arr, scores)
        out[np.isneginf(out)] = 0.0
    else:
        counts = np.bincount(owners_arr, minlength=n_texts).astype(np.float64)
        np.add.at(out, owners_arr, scores)
        out /= np.maximum(counts, 1.0)[:, None]
    return out


def encode_head_tail(
    tokenizer: Any, texts: Sequence[str], max_length: int, head: int | None = None
) -> list[list[int]]:
    """One input per text; longer texts keep ``head`` tokens from the start and the rest from the end.

    Args:
        head: content tokens kept from the start (default: a quarter of the budget).
    """
    check_window(tokenizer, max_length, 0)
    enc = tokenizer(list(texts), truncation=False, return_special_tokens_mask=True,
                    return_attention_mask=False, return_token_type_ids=False, verbose=False)
    out = []
    for ids, special in zip(enc["input_ids"], enc["special_tokens_mask"]):
        ids = list(ids)
        if len(ids) <= max_length:
            out.append(ids)
            continue
        n_pre = _leading_ones(special)
        n_post = _leading_ones(special[::-1])
        budget = max_length - n_pre - n_post
        h = budget // 4 if head is None else max(0, min(head, budget))
        body = ids[n_pre: len(ids) - n_post]
        kept = body[:h] + (body[len(body) - (budget - h):] if budget > h else [])
        out.append(ids[:n_pre] + kept + ids[len(ids) - n_post:])
    return out


def _leading_ones(mask: Sequence[int]) -> int:
    n = 0
    for v in mask:
        if not v:
            break
        n += 1
    return n


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad to the longest sequence: ``(input_ids, attention_mask)`` as int64 arrays."""
    width = max(len(s) for s in sequences)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for i, seq in enumerate(sequences):
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
    return ids, mask


__all__ = [
    "AGGREGATIONS",
    "DEFAULT_MAX_CHUNKS",
    "Chunks",
    "aggregate",
    "check_window",
    "encode_chunks",
    "encode_head_tail",
    "pad_batch",
    "select_evenly",
]
