"""A faster scoring path for :class:`~netral_nlp.LinearTopicClassifier`, for bulk labelling.

Hand-written on purpose: scikit-learn's transform has no per-word n-gram cache; bench_dump.py measures the gain.

scikit-learn's ``TfidfVectorizer.transform`` builds every character n-gram of every word of
every document in Python. Social-media dumps repeat the same words endlessly, so this
module computes each word's n-gram feature ids once and keeps them in a bounded per-word
cache; a document's counts are then the concatenation of its words' ids, summed by scipy
in C. Word n-grams, sub-linear tf, idf and the l2 norm follow scikit-learn's definitions
exactly, so scores agree with :meth:`TopicClassifier.predict_proba` to float32 rounding
(|Δ| < 1e-5; checked on probe texts when the scorer is built, with a silent fall-back to
the model's own path if a model is configured in a way this module does not reproduce).

Nothing here changes the model object; the caches belong to the scorer instance.
"""

from __future__ import annotations

import re
import sys
from array import array
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp

from .classifier import TopicClassifier

ScoreFn = Callable[[list[str]], np.ndarray]
"""Scores for non-empty *normalised* texts, shape ``(len(texts), n_topics)``."""

WORD_CACHE_LIMIT = 300_000
"""Distinct words whose char n-gram ids are cached (the cache is cleared when full)."""
WORD_CACHE_BYTES = 64 * 1024 * 1024
"""Bytes the per-word cache may hold (ids, words and entry overhead); cleared beyond that."""
WORD_CACHE_MAX_CHARS = 100
"""Longer words are not cached: they are almost never repeated, and one 50,000-character
word has ~150,000 n-gram ids."""
_ENTRY_OVERHEAD = 160  # dict slot + array object header, per cached word

_PROBES = (
    "bawaslu memanggil camat yang ikut kampanye paslon 02 di balai desa",
    "ada bagi-bagi amplop rp 50rb per kepala keluarga semalam sebelum pencoblosan @user",
    "hoaks surat suara tercoblos di pelabuhan url",
    "x",
    "a b c d e",
    "123 456 - ! ? @user @user url url",
    "ujaran kebencian berbau sara terhadap etnis tertentu jangan dibiarkan",
)


def make_scorer(clf: TopicClassifier, batch_size: int | None = None) -> ScoreFn:
    """The fastest exact scoring function available for ``clf``.

    For a fitted :class:`~netral_nlp.LinearTopicClassifier` with scikit-learn-standard
    TF-IDF blocks this is a :class:`FastLinearScorer`; for anything else (transformers,
    custom models) it is the model's own ``_predict_scores`` (called with ``batch_size``),
    which for transformers sorts the texts by length and pads each batch dynamically: pass
    it large lists.
    """
    from .linear import LinearTopicClassifier

    if isinstance(clf, LinearTopicClassifier) and FastLinearScorer.supports(clf):
        fast = FastLinearScorer(clf)
        probes = list(_PROBES)
        if np.allclose(fast(probes), clf._predict_scores(probes), rtol=0, atol=1e-5):
            return fast
    return lambda texts: clf._predict_scores(texts, batch_size=batch_size)


class FastLinearScorer:
    """Callable ``(normalised texts) -> scores`` equivalent to ``clf._predict_scores``."""

    def __init__(self, clf: TopicClassifier, word_cache_limit: int = WORD_CACHE_LIMIT,
                 word_cache_bytes: int = WORD_CACHE_BYTES) -> None:
        self.multi_label = clf.multi_label
        self._blocks = [_Block(v) for v in clf.vectorizers_]  # type: ignore[attr-defined]
        coef = np.asarray(clf.coef_, dtype=np.float32)  # type: ignore[attr-defined]
        self._coef_t: list[np.ndarray] = []
        start = 0
        for block in self._blocks:
            self._coef_t.append(np.ascontiguousarray(coef[:, start : start + block.n_features].T))
            start += block.n_features
        self._intercept = np.asarray(clf.intercept_, dtype=np.float64)  # type: ignore[attr-defined]
        self._word_cache_limit = word_cache_limit
        self._word_cache_bytes = word_cache_bytes

    @staticmethod
    def supports(clf: TopicClassifier) -> bool:
        vecs = getattr(clf, "vectorizers_", None)
        if not vecs or getattr(clf, "coef_", None) is None:
            return False
        for v in vecs:
            p = v.get_params()
            if p["analyzer"] not in ("word", "char_wb") or p["lowercase"] or p["binary"]:
                return False
            if p["preprocessor"] is not None or p["tokenizer"] is not None or p["stop_words"] is not None:
                return False
            if p["strip_accents"] is not None or p["norm"] not in ("l2", None) or not hasattr(v, "idf_"):
                return False
            if p["analyzer"] == "word" and re.compile(p["token_pattern"]).groups > 1:
                return False
        return True

    def __call__(self, texts: list[str]) -> np.ndarray:
        logits = np.tile(self._intercept, (len(texts), 1))
        for block, coef_t in zip(self._blocks, self._coef_t):
            X = block.transform(texts, self._word_cache_limit, self._word_cache_bytes)
            logits += np.asarray(X @ coef_t, dtype=np.float64)
        if self.multi_label:
            return 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


class _Block:
    """One TF-IDF block (word or char_wb n-grams) of a fitted ``TfidfVectorizer``."""

    def __init__(self, vectorizer) -> None:  # noqa: ANN001 (a fitted sklearn TfidfVectorizer)
        p = vectorizer.get_params()
        self.analyzer: str = p["analyzer"]
        self.lo, self.hi = p["ngram_range"]
        self.vocab: dict[str, int] = vectorizer.vocabulary_
        self.n_features = len(self.vocab)
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float32) if p["use_idf"] else None
        self.sublinear = bool(p["sublinear_tf"])
        self.l2 = p["norm"] == "l2"
        self.token_re = re.compile(p["token_pattern"]) if self.analyzer == "word" else None
        self._ngram_vocab: dict[int, dict[Any, int]] = {}
        if self.analyzer == "word":  # n-gram "a b" -> key ("a", "b"); tokens never hold spaces
            for term, j in self.vocab.items():
                parts = term.split(" ")
                self._ngram_vocab.setdefault(len(parts), {})[term if len(parts) == 1 else tuple(parts)] = j
            for n in range(self.lo, self.hi + 1):
                self._ngram_vocab.setdefault(n, {})
        self._word_ids: dict[str, array] = {}
        self.cache_bytes = 0

    def transform(self, texts: Sequence[str], cache_limit: int, cache_bytes: int = WORD_CACHE_BYTES) -> sp.csr_matrix:
        X = self._char_counts(texts) if self.analyzer == "char_wb" else self._word_counts(texts)
        if len(self._word_ids) > cache_limit or self.cache_bytes > cache_bytes:
            self._word_ids.clear()
            self.cache_bytes = 0
        if self.sublinear:
            np.log(X.data, out=X.data)
            X.data += 1.0
        if self.idf is not None:
            X.data *= self.idf[X.indices]
        if self.l2:
            squares = np.append(np.square(X.data), np.float32(0))  # the 0 keeps reduceat in bounds
            norms = np.sqrt(np.add.reduceat(squares, X.indptr[:-1])).astype(np.float32)
            lengths = np.diff(X.indptr)
            norms[lengths == 0] = 1.0
            norms[norms == 0] = 1.0
            X.data /= np.repeat(norms, lengths)
        return X

    def _word_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            self._word_doc_ids(text, indices)
            indptr.append(len(indices))
        X = _csr(indices, indptr, (len(texts), self.n_features))
        X.sum_duplicates()
        return X

    def _char_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Char n-gram counts as (documents × word types) @ (word types × n-grams): the
        per-word n-gram ids come from the cache and scipy sums them in C."""
        types: dict[str, int] = {}
        cols: list[int] = []
        indptr = [0]
        for text in texts:
            for word in text.split():
                j = types.get(word)
                if j is None:
                    j = types[word] = len(types)
                cols.append(j)
            indptr.append(len(cols))
        W = _csr(cols, indptr, (len(texts), len(types)))
        cache = self._word_ids
        g_indices = array("i")
        g_indptr = [0]
        for word in types:
            ids = cache.get(word)
            if ids is None:
                ids = array("i", self._char_word_ids(word))
                if len(word) <= WORD_CACHE_MAX_CHARS:
                    cache[word] = ids
                    self.cache_bytes += ids.itemsize * len(ids) + sys.getsizeof(word) + _ENTRY_OVERHEAD
            g_indices.extend(ids)
            g_indptr.append(len(g_indices))
        G = _csr(np.frombuffer(g_indices, dtype=np.intc), g_indptr, (len(types), self.n_features))
        return (W @ G).tocsr()  # no duplicate entries; order inside a row does not matter here

    def _word_doc_ids(self, text: str, out: list[int]) -> None:
        """sklearn ``_word_ngrams``: tokens by ``token_pattern``, then n-grams joined by
        spaces (looked up here as token tuples, which avoids building the strings)."""
        tokens = self.token_re.findall(text)  # type: ignore[union-attr]
        for n in range(self.lo, min(self.hi, len(tokens)) + 1):
            keys = tokens if n == 1 else zip(*(tokens[k:] for k in range(n)))
            out.extend([j for j in map(self._ngram_vocab[n].get, keys) if j is not None])

    def _char_word_ids(self, word: str) -> list[int]:
        """sklearn ``_char_wb_ngrams`` for one word, mapped to vocabulary ids."""
        vocab = self.vocab
        w = " " + word + " "
        w_len = len(w)
        ids: list[int] = []
        for n in range(self.lo, self.hi + 1):
            if w_len <= n:  # a short word is counted once, as a whole
                j = vocab.get(w)
                if j is not None:
                    ids.append(j)
                break
            for off in range(w_len - n + 1):
                j = vocab.get(w[off : off + n])
                if j is not None:
                    ids.append(j)
        return ids


def _csr(indices: Any, indptr: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=shape,
    )


__all__ = ["make_scorer", "FastLinearScorer", "ScoreFn"]
