"""The fast classical model: TF-IDF word + character n-grams → one-vs-rest logistic regression.

This is the embedded default model. It is saved without pickle: the vocabularies go to
``vocabulary.json`` and the numbers (idf weights, coefficients, intercepts) to
``weights.safetensors``; ``netral_config.json`` holds the taxonomy, thresholds,
normaliser and hyper-parameters.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .classifier import TopicClassifier, as_text_list, read_config, write_config, write_prevalence
from ..errors import ModelLoadError
from ..text.normalize import Normalizer
from ..labels.taxonomy import Taxonomy
from ..labels.thresholds import tune_thresholds

VOCAB_NAME = "vocabulary.json"
WEIGHTS_NAME = "weights.safetensors"


class LinearTopicClassifier(TopicClassifier):
    """TF-IDF (word and character n-grams) + logistic regression, one model per topic.

    Follows scikit-learn conventions: hyper-parameters in ``__init__``; :meth:`fit` learns
    ``vectorizers_``, ``coef_`` (``n_topics × n_features``) and ``intercept_``;
    :meth:`tune_thresholds` sets ``thresholds_`` from dev data.

    Args:
        taxonomy: label set (default: the election taxonomy).
        C: inverse regularisation strength of the logistic regressions.
        word_ngram_range / char_ngram_range: n-gram ranges of the two TF-IDF blocks.
        min_df: minimum document frequency of a feature.
        max_word_features / max_char_features: vocabulary caps (most frequent kept).
        class_weight: ``"balanced"`` up-weights the rare positive class of each topic.
        multi_label: one sigmoid per topic (``True``) or one softmax over topics (``False``).
    """

    model_type = "linear"

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        *,
        C: float = 8.0,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (3, 5),
        min_df: int = 2,
        max_word_features: int = 60_000,
        max_char_features: int = 120_000,
        class_weight: str | None = "balanced",
        multi_label: bool = True,
        normalizer: Normalizer | None = None,
    ) -> None:
        super().__init__(taxonomy=taxonomy, normalizer=normalizer, multi_label=multi_label)
        self.C = C
        self.word_ngram_range = tuple(word_ngram_range)
        self.char_ngram_range = tuple(char_ngram_range)
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.class_weight = class_weight
        self.vectorizers_: list[TfidfVectorizer] = []
        self.coef_: np.ndarray | None = None
        self.intercept_: np.ndarray | None = None

    # ------------------------------------------------------------------ training
    def _new_vectorizers(self, vocabularies: Sequence[dict[str, int]] | None = None) -> list[TfidfVectorizer]:
        common = dict(sublinear_tf=True, dtype=np.float32, lowercase=False)
        word = TfidfVectorizer(
            analyzer="word", ngram_range=self.word_ngram_range, token_pattern=r"(?u)[\w@][\w'-]*", **common
        )
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngram_range, **common)
        if vocabularies is None:
            word.set_params(min_df=self.min_df, max_features=self.max_word_features)
            char.set_params(min_df=self.min_df, max_features=self.max_char_features)
        else:
            word.set_params(vocabulary=vocabularies[0])
            char.set_params(vocabulary=vocabularies[1])
        return [word, char]

    def _features(self, normed: list[str]) -> sp.csr_matrix:
        return sp.hstack([v.transform(normed) for v in self.vectorizers_], format="csr")

    def fit(self, texts: Sequence[str], y: Any, sample_weight: Any = None) -> "LinearTopicClassifier":
        """Learn vocabularies and weights.

        Args:
            texts: training texts (raw; normalised here).
            y: a 0/1 matrix ``(n, n_topics)`` in taxonomy order, or a list of label lists.
            sample_weight: optional weights, one per text ``(n,)`` or one per text and topic
                ``(n, n_topics)``; a text weighted 0 for a topic is left out of that topic's
                regression (its label there is unknown) but still shapes the vocabulary.
        """
        texts = as_text_list(texts)
        Y = _as_matrix(y, self.taxonomy)
        if len(Y) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(Y)} label rows")
        W = _as_weights(sample_weight, Y.shape)
        normed = [self.normalizer(t) for t in texts]
        self.vectorizers_ = self._new_vectorizers()
        X = sp.hstack([v.fit_transform(normed) for v in self.vectorizers_], format="csr")
        if self.multi_label:
            coef, intercept = self._fit_per_topic(X, Y, W)
        else:
            k = len(self.taxonomy)
            target = Y.argmax(axis=1)
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
            lr.fit(X, target, sample_weight=None if W is None else W.max(axis=1))
            coef = np.zeros((k, X.shape[1]), dtype=np.float32)
            intercept = np.full(k, -20.0, dtype=np.float32)
            coef[lr.classes_], intercept[lr.classes_] = lr.coef_, lr.intercept_
            self.thresholds_ = np.zeros(k)
        self.coef_, self.intercept_ = coef, intercept
        self.prevalence_ = None  # scores on labelled texts of the old weights
        return self

    def _fit_per_topic(self, X: sp.csr_matrix, Y: np.ndarray, W: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """One logistic regression per topic. liblinear's dual solver when there are fewer
        texts than features (the usual case: same optimum, many times faster)."""
        k = Y.shape[1]
        coef = np.zeros((k, X.shape[1]), dtype=np.float32)
        intercept = np.zeros(k, dtype=np.float32)
        for j in range(k):
            rows = np.arange(len(Y)) if W is None else np.flatnonzero(W[:, j] > 0)
            y = Y[rows, j]
            if len(y) == 0 or y.min() == y.max():
                intercept[j] = 20.0 if len(y) and y[0] else -20.0  # constant column
                continue
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                    dual=len(rows) < X.shape[1], max_iter=2000)
            lr.fit(X[rows], y, sample_weight=None if W is None else W[rows, j])
            coef[j], intercept[j] = lr.coef_[0], lr.intercept_[0]
        return coef, intercept

    def tune_thresholds(self, texts: Sequence[str], y: Any, sample_weight: Any = None) -> "LinearTopicClassifier":
        """Set ``thresholds_`` to the per-topic F1-optimal values on dev data (``sample_weight``
        as in :meth:`fit`: ``(n,)`` or ``(n, n_topics)``, 0 = label unknown)."""
        Y = _as_matrix(y, self.taxonomy)
        self.thresholds_ = tune_thresholds(Y, self.predict_proba(texts), sample_weight=sample_weight)
        return self

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The model's TF-IDF features of raw texts (word block then character block)."""
        self._check_fitted()
        return self._features([self.normalizer(t) for t in as_text_list(texts)])

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self) -> None:
        if self.coef_ is None or not self.vectorizers_:
            raise RuntimeError("this LinearTopicClassifier is not fitted yet; call fit() first")

    def _predict_scores(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        self._check_fitted()
        logits = self._features(texts) @ self.coef_.T + self.intercept_
        logits = np.asarray(logits, dtype=np.float64)
        if self.multi_label:
            return 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def explain(self, text: str, top_k: int = 8, topics: Sequence[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """Words and phrases that pushed each predicted topic's score up.

        Each feature's contribution is ``tfidf value × coefficient``; character n-grams are
        credited to the words that contain them. Returns ``{topic_id: [(phrase, weight), …]}``
        for the predicted topics (or ``topics``), strongest first, positive weights only.
        """
        self._check_fitted()
        if not isinstance(text, str):
            raise TypeError(f"text is {type(text).__name__}, expected str")
        normed = self.normalizer(text)
        if topics is None:
            topics = self.predict(text).labels
        if not normed or not topics:
            return {t: [] for t in topics}
        word_vec, char_vec = self.vectorizers_
        xw = word_vec.transform([normed]).tocsr()
        xc = char_vec.transform([normed]).tocsr()
        n_word = len(word_vec.vocabulary_)
        words = word_vec.build_analyzer()(normed)
        char_an = char_vec.build_analyzer()
        char_index = char_vec.vocabulary_
        # which words contain each char n-gram (credit is split between them)
        owners: dict[int, set[str]] = {}
        for w in set(w for w in words if " " not in w):
            for g in set(char_an(w)):
                j = char_index.get(g)
                if j is not None:
                    owners.setdefault(j, set()).add(w)
        present = set(xw.indices.tolist())
        term_of = {j: t for t, j in word_vec.vocabulary_.items() if j in present}
        out: dict[str, list[tuple[str, float]]] = {}
        for topic in topics:
            k = self.taxonomy.index(topic)
            credit: dict[str, float] = {}
            for j, v in zip(xw.indices, xw.data):
                credit[term_of[j]] = credit.get(term_of[j], 0.0) + float(v * self.coef_[k, j])
            for j, v in zip(xc.indices, xc.data):
                ws = owners.get(j)
                if ws:
                    share = float(v * self.coef_[k, n_word + j]) / len(ws)
                    for w in ws:
                        credit[w] = credit.get(w, 0.0) + share
            ranked = sorted(((p, c) for p, c in credit.items() if c > 0), key=lambda pc: -pc[1])
            out[topic] = [(p, round(c, 4)) for p, c in ranked[:top_k]]
        return out

    # ------------------------------------------------------------------ persistence
    def save_pretrained(self, path: str | Path) -> Path:
        from safetensors.numpy import save_file

        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        vocabs = [_ordered_terms(v.vocabulary_) for v in self.vectorizers_]
        (path / VOCAB_NAME).write_text(
            json.dumps({"word": vocabs[0], "char": vocabs[1]}, ensure_ascii=False), encoding="utf-8"
        )
        save_file(
            {
                "idf_word": self.vectorizers_[0].idf_.astype(np.float32),
                "idf_char": self.vectorizers_[1].idf_.astype(np.float32),
                "coef": np.ascontiguousarray(self.coef_, dtype=np.float32),
                "intercept": np.ascontiguousarray(self.intercept_, dtype=np.float32),
            },
            str(path / WEIGHTS_NAME),
        )
        cfg = self._base_config()
        cfg["params"] = self.get_params()
        write_config(path, cfg)
        write_prevalence(path, self.prevalence_)
        return path

    @classmethod
    def from_pretrained(cls, path: str | Path) -> "LinearTopicClassifier":
        """Load a folder written by :meth:`save_pretrained`."""
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        path = Path(path)
        cfg = read_config(path)
        if cfg["model_type"] != cls.model_type:
            raise ModelLoadError(f"{path}: model_type is {cfg['model_type']!r}, not {cls.model_type!r}")
        params = dict(cfg.get("params") or {})
        model = cls(**{k: v for k, v in params.items() if k in _PARAM_NAMES})
        model._apply_base_config(cfg, path)
        for name in (VOCAB_NAME, WEIGHTS_NAME):
            if not (path / name).is_file():
                raise ModelLoadError(f"{path}: incomplete model folder ({name} is missing)")
        try:
            vocab = json.loads((path / VOCAB_NAME).read_text(encoding="utf-8"))
            weights = load_file(str(path / WEIGHTS_NAME))
        except (json.JSONDecodeError, UnicodeDecodeError, SafetensorError, OSError) as exc:
            raise ModelLoadError(f"{path}: corrupt model files ({exc})") from exc
        try:
            vocabularies = [{t: i for i, t in enumerate(vocab[key])} for key in ("word", "char")]
            model.vectorizers_ = model._new_vectorizers(vocabularies)
            model.vectorizers_[0].idf_ = weights["idf_word"].astype(np.float64)
            model.vectorizers_[1].idf_ = weights["idf_char"].astype(np.float64)
            model.coef_, model.intercept_ = weights["coef"], weights["intercept"]
            n_feat = len(vocabularies[0]) + len(vocabularies[1])
            if model.coef_.shape != (len(model.taxonomy), n_feat) or model.intercept_.shape != (len(model.taxonomy),):
                raise ValueError(
                    f"weights shape {model.coef_.shape} does not match {len(model.taxonomy)} topics × {n_feat} features"
                )
            if not all(np.isfinite(weights[k]).all() for k in ("idf_word", "idf_char", "coef", "intercept")):
                raise ValueError("the weights hold NaN or infinite values")
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelLoadError(f"{path}: inconsistent model files ({exc})") from exc
        return model

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _PARAM_NAMES}


_PARAM_NAMES = (
    "C",
    "word_ngram_range",
    "char_ngram_range",
    "min_df",
    "max_word_features",
    "max_char_features",
    "class_weight",
    "multi_label",
)


def _ordered_terms(vocabulary: dict[str, int]) -> list[str]:
    terms = [""] * len(vocabulary)
    for term, i in vocabulary.items():
        terms[i] = term
    return terms


def _as_weights(sample_weight: Any, shape: tuple[int, int]) -> np.ndarray | None:
    """``None`` or an ``(n, k)`` float matrix of non-negative weights."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 1 and len(w) == shape[0]:
        w = np.repeat(w[:, None], shape[1], axis=1)
    if w.shape != shape:
        raise ValueError(f"sample_weight must have shape ({shape[0]},) or {shape}, got {w.shape}")
    if not np.all(np.isfinite(w)) or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative")
    return w


def _as_matrix(y: Any, taxonomy: Taxonomy) -> np.ndarray:
    arr = y if isinstance(y, np.ndarray) else None
    if arr is None:
        rows = list(y)
        if rows and all(isinstance(r, (list, tuple, set, frozenset, str)) for r in rows) and not all(
            isinstance(r, (list, tuple)) and r and all(isinstance(v, (int, np.integer)) for v in r) for r in rows
        ):
            return taxonomy.binarize(rows)
        arr = np.asarray(rows)
    if arr.ndim != 2 or arr.shape[1] != len(taxonomy):
        raise ValueError(f"label matrix must have shape (n, {len(taxonomy)}), got {arr.shape}")
    return arr.astype(np.int8)


__all__ = ["LinearTopicClassifier"]
