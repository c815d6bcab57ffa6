"""Write ``prevalence.json`` (the model's scores on the corpus dev split) into model folders.

    python models/build_prevalence.py                 # models/default/
    python models/build_prevalence.py default e5 runs/my-model

The prevalence estimators (``netral_nlp.estimate_prevalence``, the summary of ``label``)
correct the raw flag count with the model's true and false positive rates, read from these
scores. A folder without the file still works: the figures are computed from the corpus dev
split when first needed (a second for the TF-IDF model, minutes for transformers on CPU).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from netral_nlp import load
from netral_nlp.quantify import fit_calibration, save_calibration

HERE = Path(__file__).resolve().parent
SHIPPED = ("default", "e5", "accurate")


def build(name: str) -> None:
    folder = HERE / name if name in SHIPPED else Path(name)
    clf = load(name if name in SHIPPED else folder)
    cal = fit_calibration(clf)
    save_calibration(clf, folder, cal)
    print(f"{folder / 'prevalence.json'}: {cal.n} texts of {cal.source}")
    for topic, r in cal.rates(clf).items():
        print(f"  {topic:<24} tpr {r['tpr']:.3f}  fpr {r['fpr']:.3f}  ({r['positives']} positives, {r['negatives']} negatives)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="*", default=["default"], help="shipped model names or model folders")
    for name in parser.parse_args().models:
        build(name)


if __name__ == "__main__":
    main()
