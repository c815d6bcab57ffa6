"""The ``README.md`` model card written into every saved transformer model folder
(``huggingface_hub.ModelCard``: its metadata block and validation; the body is ours)."""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from ..labels.taxonomy import Taxonomy


class CardSubject(Protocol):
    """What a model card reads from a model (a :class:`~.transformer.TransformerTopicClassifier`)."""

    base_model: str | None
    multi_label: bool
    taxonomy: Taxonomy
    metrics_: dict[str, Any]
    max_length: int
    stride: int
    aggregation: str
    max_chunks: int

    @property
    def thresholds(self) -> Mapping[str, float]: ...


def render_model_card(clf: CardSubject) -> str:
    """Markdown model card (with Hugging Face YAML metadata) describing ``clf``."""
    base = clf.base_model or "unknown"
    training: Mapping[str, Any] = clf.metrics_.get("training") or {}
    kind = "multi-label (sigmoid, per-topic thresholds)" if clf.multi_label else "single-label (softmax)"
    from huggingface_hub import ModelCard, ModelCardData

    hub_base = clf.base_model if clf.base_model and "/" in clf.base_model and not clf.base_model.startswith(
        ("/", ".")) else None
    meta = ModelCardData(library_name="transformers", pipeline_tag="text-classification", language=["id"],
                         tags=["netral-nlp", "indonesian", "elections", "topic-classification"], base_model=hub_base)
    lines = [
        "",
        f"# {clf.taxonomy.name}: topic classifier fine-tuned from `{base}`",
        "",
        f"A {kind} text classifier for Indonesian news and social-media posts about elections, "
        "trained with [netral_nlp](https://pypi.org/project/netral-nlp/) on top of `transformers.Trainer`.",
        "",
        "## Topics and thresholds",
        "",
        "| topic | name | threshold |",
        "|---|---|---:|",
    ]
    for t in clf.taxonomy:
        lines.append(f"| `{t.id}` | {t.name_en or t.name_id or t.id} | {clf.thresholds[t.id]:.2f} |")
    lines += [
        "",
        "## Training",
        "",
        f"* Base model: `{base}`",
        f"* Training data: {training.get('train_data', 'not recorded')} "
        f"({training.get('n_train', '?')} texts); dev data: {training.get('eval_data', 'not recorded')} "
        f"({training.get('n_eval', '?')} texts)",
    ]
    for key, label in (
        ("epochs_run", "Epochs run (early stopping on dev macro-F1)"),
        ("learning_rate", "Learning rate"),
        ("batch_size", "Batch size"),
        ("gradient_accumulation_steps", "Gradient accumulation steps"),
        ("train_max_length", "Max length in training (tokens)"),
        ("long_texts", "Long texts in training"),
        ("pos_weight", "Positive-class weights"),
        ("precision", "Precision"),
        ("seed", "Seed"),
        ("seconds", "Training time (s)"),
        ("device", "Device"),
    ):
        if key in training:
            lines.append(f"* {label}: {training[key]}")
    lines += [
        f"* Prediction: windows of {clf.max_length} tokens overlapping by {clf.stride}, at most "
        f"{clf.max_chunks} per text, scores aggregated with `{clf.aggregation}`",
        "",
    ]
    for split, figures in clf.metrics_.items():
        if isinstance(figures, Mapping) and "per_topic" in figures:
            lines += _metrics_table(split, figures)
    lines += [
        "## Use",
        "",
        "```python",
        "import netral_nlp",
        'clf = netral_nlp.load("path/to/this/folder")',
        'clf.predict("Camat ikut kampanye paslon di balai desa").labels',
        "```",
        "",
        "`netral_nlp.load` applies the same text normalisation as in training, the tuned per-topic "
        "thresholds and sliding windows over long texts. The folder is also a standard Hugging Face "
        "model: `transformers.pipeline(\"text-classification\", model=folder, top_k=None)` opens it "
        "(raw text, no normalisation, one window of at most the model's max length, no tuned thresholds).",
        "",
        "## Intended use",
        "",
        "Triage and monitoring of Indonesian election-related texts (news, social media, reports) "
        "into the topics above, to help human supervisors find items worth checking. "
        "Every prediction is a suggestion for a human to verify.",
        "",
        "## Limitations",
        "",
        "* Not a judgement of whether a law was broken: the labels say what a text is about.",
        "* Trained on a small corpus; accuracy drops on registers, regions, regional languages "
        "and slang that the training data does not cover. Check the per-topic dev figures above "
        "and re-evaluate on your own data before relying on it.",
        "* Dev metrics use the dev data that also chose the thresholds and the best epoch, so they "
        "are optimistic; report test-set figures for a fair estimate.",
        "* Long articles are scored window by window; with `max` aggregation one window about a "
        "topic is enough to assign it.",
        "",
    ]
    return str(ModelCard(f"---\n{meta.to_yaml()}\n---\n" + "\n".join(lines)))


def _metrics_table(split: str, figures: Mapping[str, Any]) -> list[str]:
    out = [f"## Metrics on {split}", "", "| topic | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for row in figures["per_topic"]:
        out.append(f"| `{row['topic']}` | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | "
                   f"{row['support']} |")
    summary = figures.get("summary") or {}
    if summary:
        parts = [f"{k.replace('_', '-')} {summary[k]:.3f}" for k in ("micro_f1", "macro_f1", "samples_f1")
                 if k in summary]
        out += ["", f"{summary.get('n_texts', '?')} texts · " + " · ".join(parts)]
    return out + [""]


__all__ = ["render_model_card"]
