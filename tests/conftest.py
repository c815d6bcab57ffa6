"""Shared fixtures: a tiny BERT built from the corpus, and a tiny fine-tuned topic model.

No network is needed: the WordPiece tokenizer is built with ``tokenizers`` from the corpus
train texts and the 2-layer BERT is randomly initialised, then saved as a standard
Hugging Face folder. Both fixtures are session-scoped, so every test file reuses them:

* ``tiny_base_model_dir``: a base-model folder (``BertModel`` weights in safetensors and a
  ``BertTokenizerFast``), usable wherever a hub id like ``indobenchmark/indobert-base-p1`` is;
* ``tiny_finetuned_model_dir``: that model fine-tuned with :func:`netral_nlp.train` on the
  corpus train split (dev split for early stopping and thresholds), saved to a folder that
  ``netral_nlp.load`` opens. ``tiny_finetune_run`` gives the folder plus the training time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

TINY_TRAIN_OPTIONS = dict(
    epochs=6,
    learning_rate=5e-3,
    batch_size=64,
    max_length=96,
    warmup_ratio=0.05,
    weight_decay=0.01,
    pos_weight="auto",
    early_stopping_patience=3,
    seed=13,
    device="cpu",
    cpu_threads=1,
    progress=False,
    logging_steps=1000,
)
"""Settings that let the tiny, randomly initialised BERT learn the corpus in about a minute on CPU."""


def build_tiny_base_model(folder: Path, vocab_size: int = 8000, max_position: int = 256, seed: int = 0) -> Path:
    """Write a tiny random BERT and a WordPiece tokenizer built from the corpus train texts.

    The vocabulary is made with the ``tokenizers`` BERT normaliser and pre-tokeniser: the
    special tokens, every character seen (alone and as a ``##`` continuation), then the most
    frequent words (ties broken alphabetically) up to ``vocab_size``. Unlike
    ``tokenizers.trainers.WordPieceTrainer``, whose tie-breaking varies from one process to
    the next, this gives the same tokenizer, hence the same model, on every run.
    """
    from collections import Counter

    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, BertTokenizerFast

    import netral_nlp

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    normalizer, pre_tokenizer = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    clean = netral_nlp.Normalizer()
    counts: Counter[str] = Counter()
    for record in netral_nlp.iter_corpus("train"):
        text = normalizer.normalize_str(clean(record["text"]))
        counts.update(word for word, _ in pre_tokenizer.pre_tokenize_str(text))
    chars = sorted({ch for word in counts for ch in word})
    vocab_list = specials + chars + ["##" + ch for ch in chars]
    for word, _ in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0])):
        if len(vocab_list) >= vocab_size:
            break
        if len(word) > 1:
            vocab_list.append(word)
    vocab = {token: i for i, token in enumerate(vocab_list)}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer, tok.pre_tokenizer, tok.decoder = normalizer, pre_tokenizer, decoders.WordPiece()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tokenizer = BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
                                  cls_token="[CLS]", mask_token="[MASK]", model_max_length=max_position)
    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=max_position, pad_token_id=0)
    torch.manual_seed(seed)
    folder.mkdir(parents=True, exist_ok=True)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@dataclass(frozen=True)
class FinetuneRun:
    """A tiny fine-tuned model folder and how long :func:`netral_nlp.train` took."""

    path: Path
    seconds: float


@pytest.fixture(scope="module")
def torch_one_thread() -> Iterator[None]:
    """Run a test module with one torch CPU thread (restored afterwards).

    Tiny models gain nothing from a thread pool, and on a busy 2-core machine an
    oversubscribed pool makes each step up to 10x slower.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_base_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a tiny random BERT base model (hidden 64, 2 layers) with a corpus WordPiece tokenizer."""
    return build_tiny_base_model(tmp_path_factory.mktemp("tiny-bert") / "base")


@pytest.fixture(scope="session")
def tiny_finetune_run(tiny_base_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> FinetuneRun:
    """Fine-tune the tiny BERT on the corpus (train split; dev split for early stopping and thresholds)."""
    import netral_nlp

    out = tmp_path_factory.mktemp("tiny-finetuned") / "model"
    t0 = time.perf_counter()
    netral_nlp.train("corpus", base_model=tiny_base_model_dir, output_dir=out, **TINY_TRAIN_OPTIONS)
    return FinetuneRun(out, time.perf_counter() - t0)


@pytest.fixture(scope="session")
def tiny_finetuned_model_dir(tiny_finetune_run: FinetuneRun) -> Path:
    """Folder of a tiny topic model fine-tuned on the corpus; open it with ``netral_nlp.load(path)``."""
    return tiny_finetune_run.path
