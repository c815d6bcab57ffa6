"""Old module paths of the flat layout (``netral_nlp.dump``, ``netral_nlp.e5_import``...).

Each old path is a three-line module at the package root that calls :func:`moved`: it
warns once (``DeprecationWarning``) and makes the old name an alias of the new module, so
``from netral_nlp.dump import label_dump`` still gives the very same object as
``netral_nlp.batch.dump.label_dump``. New code imports from the sub-packages (or from
``netral_nlp`` itself, the public API).
"""

from __future__ import annotations

import sys
import warnings
from types import ModuleType


def moved(old: str, new: ModuleType) -> None:
    """Make the module ``old`` (being imported) an alias of ``new``, with a deprecation warning."""
    warnings.warn(f"{old} moved to {new.__name__}; import it from there (or from netral_nlp)",
                  DeprecationWarning, stacklevel=3)
    sys.modules[old] = new
