"""Batch labelling of whole files: :func:`.dump.label_dump` reads (:mod:`.readers`), labels
chunks (:mod:`.labeler`) in-process, in worker processes (:mod:`.executors`) or on Ray
(:mod:`.distributed`), and writes (:mod:`.writers`) resumably (:mod:`.resume`).
``netral_nlp.batch`` was the chunk-labelling module; its names stay importable here."""

from .labeler import (
    EXCERPT_CHARS,
    MISSING,
    BoundedCache,
    ChunkLabeler,
    ChunkResult,
    FieldSpec,
    RawChunk,
    RowError,
    extract_text,
    get_field,
    parse_json_line,
)

__all__ = ["RawChunk", "ChunkResult", "RowError", "FieldSpec", "ChunkLabeler", "BoundedCache", "get_field",
           "extract_text", "parse_json_line", "MISSING", "EXCERPT_CHARS"]
