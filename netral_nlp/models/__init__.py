"""The model zoo: the :class:`~.classifier.TopicClassifier` base, TF-IDF (:mod:`.linear`,
fast path :mod:`.fastlinear`), transformers (:mod:`.transformer`, :mod:`.model_card`,
:mod:`.hub`), multilingual-e5 (:mod:`.e5`, :mod:`.e5_import`, :mod:`.e5_verify`),
:mod:`.ensemble`, and :mod:`.loading` (``netral_nlp.load``)."""
