"""Quiet third-party output around the library's own calls.

Library calls are quiet by default: loading or saving a model prints no "Loading weights" /
"Writing model shards" bars, no load report and no ``pin_memory`` warning. :func:`hf_quiet`
switches ``transformers``' verbosity and progress bars, ``huggingface_hub``'s progress bars
and those warnings off for the duration of one call and restores them afterwards, so a
caller's own settings are untouched.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_WARNINGS = (
    r".*pin_memory.*",  # torch DataLoader on a machine without an accelerator
    r".*TRANSFORMERS_CACHE.*",
)


@contextmanager
def hf_quiet(enabled: bool = True) -> Iterator[None]:
    """While active: transformers logs errors only, no transformers / hub progress bars, no noisy warnings.

    ``enabled=False`` changes nothing (for callers that show progress).
    """
    if not enabled:
        yield
        return
    from huggingface_hub import utils as hub_utils
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hub_bars = not hub_utils.are_progress_bars_disabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    hub_utils.disable_progress_bars()
    try:
        with warnings.catch_warnings():
            for pattern in QUIET_WARNINGS:
                warnings.filterwarnings("ignore", message=pattern)
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()  # also switches the hub's bars on: set them back below
        if hub_bars:
            hub_utils.enable_progress_bars()
        else:
            hub_utils.disable_progress_bars()


__all__ = ["QUIET_WARNINGS", "hf_quiet"]
