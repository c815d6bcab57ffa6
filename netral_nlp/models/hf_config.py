"""What a Hugging Face model's config says: its taxonomy (``id2label``) and how many tokens it takes."""

from __future__ import annotations

from typing import Any

from ..labels.taxonomy import Taxonomy


def taxonomy_from_config(config: Any) -> Taxonomy:
    """Taxonomy from a Hugging Face config's ``id2label`` (ordered by label index)."""
    id2label = {int(k): str(v) for k, v in (getattr(config, "id2label", None) or {}).items()}
    if len(id2label) != config.num_labels:
        id2label = {i: f"LABEL_{i}" for i in range(config.num_labels)}
    return Taxonomy.from_labels([id2label[i] for i in sorted(id2label)], name=getattr(config, "_name_or_path", "") or "custom")


def default_max_length(model: Any, tokenizer: Any) -> int:
    """The longest input the model and tokenizer accept, capped at 512."""
    limits = [512]
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and 0 < tok_max < 100_000:
        limits.append(tok_max)
    pos = position_limit(model)
    if pos is not None:
        limits.append(pos)
    return min(limits)


def position_limit(model: Any) -> int | None:
    """Tokens the model's position embeddings can hold (``None`` when the config does not say)."""
    pos = getattr(model.config, "max_position_embeddings", None)
    if not isinstance(pos, int) or pos <= 0:
        return None
    offset = 2 if getattr(model.config, "model_type", "") in ("roberta", "xlm-roberta", "camembert") else 0
    return pos - offset


def check_max_length(model: Any, max_length: int) -> None:
    """Raise ``ValueError`` when ``max_length`` exceeds the model's position embeddings."""
    limit = position_limit(model)
    if limit is not None and max_length > limit:
        raise ValueError(f"max_length={max_length} exceeds what this model accepts ({limit} tokens); "
                         f"use max_length <= {limit}")


__all__ = ["check_max_length", "default_max_length", "position_limit", "taxonomy_from_config"]
