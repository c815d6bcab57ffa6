"""Text in: normalisation (:mod:`.normalize`, slang table :mod:`._tables`) and the
token windows of long texts (:mod:`.chunking`). Depends on nothing else in the package."""
