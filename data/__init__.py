"""The project's own labelled corpus (``parts/*.jsonl``); installed as ``netral_nlp._data``."""
