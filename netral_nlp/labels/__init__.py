"""The label space and label decisions: :mod:`.taxonomy` (topics), :mod:`.prediction`
(one text's result) and :mod:`.thresholds` (per-topic threshold tuning)."""
