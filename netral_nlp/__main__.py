"""``python -m netral_nlp`` = the ``netral-nlp`` command."""

from .cli import main

raise SystemExit(main())
