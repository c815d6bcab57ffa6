"""Shipped models (``default/``) and fine-tuning recipes (``recipes/``); installed as ``netral_nlp._models``."""
