"""The public Indonesian data sets of ``../shared/data`` as binary tasks, and their folds.

Shared by ``eval_real.py`` and ``bench_e5.py`` so that every row of both tables is measured
on the same texts and the same folds. Nothing from the data is copied into the repository:
the files are read at run time, and a loader returns ``None`` when its file is absent.

Also here: :func:`e5_fold`, the fine-tuned multilingual-e5 on one outer fold (the recipe
of the shipped ``load("e5")``), cached under ``~/.cache/netral_nlp/bench`` by a hash of the
fold's texts, labels and recipe, so the two benchmarks train each fold once between them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "netral_nlp" / "bench"
HOAX_CSV = Path("hoax_pilpres_24") / "data_berita.csv"
HATE_CSV = Path("id_multilabel_hatespeech") / "re_dataset.csv"
N_FOLDS = 5
FOLD_SEED = 42
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")  # emoji written as literal \xf0\x9f... in the tweets


@dataclass
class RealSet:
    """One binary real-data task: texts, 0/1 targets, and the topic they map to."""

    name: str
    topic: str
    texts: list[str]
    y: np.ndarray
    n_raw: int

    def folds(self, n: int = N_FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
        """The outer stratified folds every benchmark row uses (seeded)."""
        from sklearn.model_selection import StratifiedKFold

        return list(StratifiedKFold(n, shuffle=True, random_state=FOLD_SEED).split(np.zeros(len(self.y)), self.y))


def _dedup(texts: list[str], y: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Keep one copy per text (case and white space ignored); drop texts labelled both ways."""
    keys = [" ".join(t.lower().split()) for t in texts]
    labels_of: dict[str, set[int]] = {}
    for k, v in zip(keys, y):
        labels_of.setdefault(k, set()).add(int(v))
    seen: set[str] = set()
    keep = []
    for i, k in enumerate(keys):
        if k in seen or len(labels_of[k]) > 1 or not k:
            continue
        seen.add(k)
        keep.append(i)
    return [texts[i] for i in keep], y[keep]


def load_hoax(data_dir: Path = DATA) -> RealSet | None:
    import pandas as pd

    path = data_dir / HOAX_CSV
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    y = (frame["Berita_Hoax"].str.strip().str.lower() == "true").to_numpy(dtype=int)
    texts, y = _dedup(frame["Judul Artikel"].str.strip().tolist(), y)
    return RealSet("hoax headlines", "hoaks", texts, y, len(frame))


def clean_tweet(text: str) -> str:
    """Undo the data set's escaping: literal ``\\xf0\\x9f..`` byte escapes and ``\\n``."""
    return _ESCAPES.sub(" ", text).replace("\\n", " ")


def load_hate(data_dir: Path = DATA, strict: bool = False) -> RealSet | None:
    import pandas as pd

    path = data_dir / HATE_CSV
    if not path.is_file():
        return None
    frame = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)  # not valid UTF-8
    flag = {c: frame[c].astype(int) for c in ("HS", "HS_Religion", "HS_Race", "HS_Group")}
    y = ((flag["HS_Religion"] | flag["HS_Race"] | flag["HS_Group"]) if strict else flag["HS"]).to_numpy()
    texts, y = _dedup([clean_tweet(t) for t in frame["Tweet"]], y)
    name = "hate speech (religion/race/group)" if strict else "hate speech (HS)"
    return RealSet(name, "sara_ujaran_kebencian", texts, y, len(frame))


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, average="macro", zero_division=0.0))


def best_macro_threshold(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """Threshold of :data:`THRESHOLD_GRID` with the best two-class macro-F1 (ties: nearest 0.5)."""
    f1s = np.array([macro_f1(y, (scores >= t).astype(int)) for t in THRESHOLD_GRID])
    best = np.flatnonzero(np.isclose(f1s, f1s.max()))
    i = best[np.argmin(np.abs(THRESHOLD_GRID[best] - 0.5))]
    return float(THRESHOLD_GRID[i]), float(f1s[i])


# ---------------------------------------------------------------------------- fine-tuned e5 per fold
def e5_recipe() -> dict[str, Any]:
    """The training options of the shipped e5 model (``models/build_e5.py``), quiet, on CPU."""
    sys.path.insert(0, str(ROOT / "models"))
    from build_e5 import DEFAULTS

    return {**DEFAULTS, "progress": False, "device": "cpu"}


def dev_split(train: np.ndarray, fraction: float = 0.15, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """``(fit, dev)`` indices: the seeded held-out split of a training fold (``LabelledData.split``).

    The e5 row trains on ``fit`` and picks its epoch and threshold on ``dev``; eval_real's
    Linear row picks its configuration and threshold on the same ``dev``.
    """
    from netral_nlp.data import holdout_indices

    rest, held = holdout_indices(len(train), fraction, seed)
    return np.asarray(train)[rest], np.asarray(train)[held]


def e5_base_dir() -> Path:
    """One e5 import for all runs (cached, keyed by the importer's code)."""
    from netral_nlp import e5_import

    key = hashlib.sha256(Path(e5_import.__file__).read_bytes()).hexdigest()[:12]
    path = CACHE / f"e5-base-{key}"
    if not (path / "model.safetensors").is_file():
        e5_import.import_e5(path)
    return path


def e5_fold(data: RealSet, k: int, train: np.ndarray, test: np.ndarray, log: Any = print) -> dict[str, Any]:
    """Fine-tune e5 on ``train`` minus :func:`dev_split` (the dev part picks the epoch).

    Returns ``{"test": proba on test, "dev_idx": dev indices into data.texts, "dev": proba on
    dev, "seconds": training time, "cached": bool}``; cached on disk. Callers pick their
    threshold on the dev probabilities.
    """
    from netral_nlp.data import LabelledData
    from netral_nlp.training.e5 import train_e5
    from netral_nlp.labels.taxonomy import Taxonomy

    recipe = e5_recipe()
    key = hashlib.sha256(json.dumps([[data.texts[i] for i in train], data.y[train].tolist(),
                                     [data.texts[i] for i in test], recipe], sort_keys=True).encode()).hexdigest()[:16]
    path = CACHE / "e5_folds" / f"{data.topic}_{key}.npz"
    if path.is_file():
        got = np.load(path)
        return {name: got[name] for name in got.files} | {"seconds": float(got["seconds"]), "cached": True}
    tax = Taxonomy.from_labels([data.topic])
    fit, dev = dev_split(train, recipe.get("eval_fraction", 0.15), recipe["seed"])

    def labelled(idx: np.ndarray, name: str) -> LabelledData:
        return LabelledData([data.texts[i] for i in idx], [[data.topic] if data.y[i] else [] for i in idx], tax,
                            "list", name)

    fit_set, dev_set = labelled(fit, f"fold{k + 1} train"), labelled(dev, f"fold{k + 1} dev")
    t0 = time.perf_counter()
    clf = train_e5(fit_set, dev_set, CACHE / f"e5_fold_{os.getpid()}", base_dir=e5_base_dir(), **recipe)
    seconds = time.perf_counter() - t0
    out = {"test": clf.predict_proba([data.texts[i] for i in test])[:, 0],
           "dev_idx": dev, "dev": clf.predict_proba(dev_set.texts)[:, 0],
           "seconds": np.float64(seconds)}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **out)
    log(f"  e5 fold {k + 1}: trained on {len(fit_set)} texts (+{len(dev_set)} dev) in {seconds:.0f}s")
    return out | {"cached": False}


# ---------------------------------------------------------------------------- real_dev (the five topics)
REAL_DEV = Path("real_dev")
SATRIA_CSV = Path("satriadata2024") / "dataset_penyisihan_bdc_2024.csv"
TRIBUN_CSV = Path("tribunnews_politik") / "tribunnews_politik_full.csv"
RANDOM_PARTS = ("satriadata", "tribunnews")  # the two random samples (a dump's base rate)


@dataclass
class RealDev:
    """The hand-labelled real texts of ``../shared/data/real_dev`` (evaluation only).

    ``part[i]`` is ``"social"``, ``"satriadata"`` or ``"tribunnews"``; ``y`` is the 0/1 matrix
    over ``topics`` (the default taxonomy's order).
    """

    texts: list[str]
    y: np.ndarray
    part: np.ndarray
    topics: list[str]

    def subset(self, mask: np.ndarray) -> "RealDev":
        idx = np.flatnonzero(mask)
        return RealDev([self.texts[i] for i in idx], self.y[idx], self.part[idx], self.topics)


def load_real_dev(data_dir: Path = DATA) -> RealDev | None:
    """The 689 texts (90 social posts, 400 satriadata tweets, 199 tribunnews articles), or None."""
    import pandas as pd

    from netral_nlp import DEFAULT_TAXONOMY

    folder = data_dir / REAL_DEV
    needed = [folder / f for f in ("social_posts.jsonl", "satriadata_labels.jsonl", "tribunnews_labels.jsonl")]
    if not all(p.is_file() for p in needed + [data_dir / SATRIA_CSV, data_dir / TRIBUN_CSV]):
        return None

    def rows(path: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    satria = pd.read_csv(data_dir / SATRIA_CSV, dtype=str, keep_default_na=False)
    tribun = pd.read_csv(data_dir / TRIBUN_CSV, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    texts, labels, part = [], [], []
    for rec in rows(needed[0]):
        texts.append(rec["text"]), labels.append(rec["labels"]), part.append("social")
    for rec in rows(needed[1]):
        texts.append(satria["text"].iloc[rec["row"]]), labels.append(rec["labels"]), part.append("satriadata")
    for rec in rows(needed[2]):
        row = tribun.iloc[rec["row"]]
        texts.append(f"{row['title']}\n\n{row['content']}"), labels.append(rec["labels"]), part.append("tribunnews")
    topics = DEFAULT_TAXONOMY.ids
    y = np.array([[int(t in labs) for t in topics] for labs in labels])
    return RealDev(texts, y, np.array(part), topics)
