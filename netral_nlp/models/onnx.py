"""ONNX export of transformer topic models, and ONNX Runtime as their prediction path
(``pip install "netral-nlp[onnx]"``).

:func:`export_onnx` writes the classification network (``input_ids``, ``attention_mask`` →
``logits``, batch and sequence axes dynamic) with ``torch.onnx.export``;
:class:`OnnxRunner` runs such a file with ONNX Runtime on CPU. A
:class:`~netral_nlp.models.transformer.TransformerTopicClassifier` with ``precision="onnx"``
scores its windows through the runner (tokenisation, windows, thresholds and the API stay
the same): it uses the folder's ``model.onnx`` when there is one (``netral-nlp export
--format onnx``), otherwise it exports the loaded network to a temporary file first.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MissingDependencyError

ONNX_NAME = "model.onnx"
OPSET = 17
INPUTS = ("input_ids", "attention_mask")


def require_onnx() -> Any:
    """``onnxruntime``, or :class:`MissingDependencyError` naming the ``onnx`` extra."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise MissingDependencyError("ONNX export and the ONNX Runtime path", "onnx", "onnx and onnxruntime") from exc
    return onnxruntime


def export_onnx(model: Any, path: str | os.PathLike[str], opset: int = OPSET) -> Path:
    """Write ``model`` (a sequence-classification network) as an ONNX graph with dynamic axes.

    The network is traced (``torch.onnx.export``, TorchScript exporter) with a small dummy
    batch on its own device, in eval mode, without gradients.
    """
    import torch

    require_onnx()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    device = next(model.parameters()).device
    dummy = torch.ones((2, 8), dtype=torch.long, device=device)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {"logits": {0: "batch"}}
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notices about Python bools and index ops
            torch.onnx.export(_logits_only(model), (dummy, dummy), str(path), input_names=list(INPUTS),
                              output_names=["logits"], dynamic_axes=axes, opset_version=opset, dynamo=False)
    finally:
        model.train(was_training)
    return path


def _logits_only(model: Any) -> Any:
    """``model`` wrapped so that the traced graph returns the logits tensor only."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    return LogitsOnly(model)


class OnnxRunner:
    """An ONNX Runtime session over an exported classification graph: ``(ids, mask) -> logits``.

    Args:
        path: the ``.onnx`` file.
        threads: intra-op threads (default: ONNX Runtime's choice, one per physical core).
    """

    def __init__(self, path: str | os.PathLike[str], threads: int | None = None) -> None:
        ort = require_onnx()
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only
        if threads:
            options.intra_op_num_threads = int(threads)
        self.path = Path(path)
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": input_ids.astype(np.int64, copy=False),
                 "attention_mask": attention_mask.astype(np.int64, copy=False)}
        return np.asarray(self.session.run(["logits"], feeds)[0], dtype=np.float32)


def runner_for(model: Any, onnx_path: str | os.PathLike[str] | None, threads: int | None = None) -> OnnxRunner:
    """The runner of ``onnx_path`` when that file exists, else of a fresh export of ``model``."""
    if onnx_path is not None and Path(onnx_path).is_file():
        return OnnxRunner(onnx_path, threads)
    require_onnx()
    with tempfile.TemporaryDirectory() as tmp:  # the session holds the graph in memory once built
        return OnnxRunner(export_onnx(model, Path(tmp) / ONNX_NAME), threads)


__all__ = ["ONNX_NAME", "OPSET", "OnnxRunner", "export_onnx", "require_onnx", "runner_for"]
