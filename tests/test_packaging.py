"""The installed package must contain every sub-package and the shipped files."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "netral_nlp").rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)


def test_shipped_folders_are_mapped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = config["tool"]["setuptools"]["package-dir"]
    assert mapping["netral_nlp._models"] == "models" and mapping["netral_nlp._data"] == "data"
    for pkg in config["tool"]["setuptools"]["packages"]:
        if pkg.startswith(("netral_nlp._models", "netral_nlp._data")):
            top = mapping["netral_nlp._models" if pkg.startswith("netral_nlp._models") else "netral_nlp._data"]
            sub = pkg.split(".")[2:]
            assert (ROOT / top / Path(*sub)).is_dir(), pkg


def test_license_and_typing_marker_ship_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = config["project"]
    assert project["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / project["license-files"][0]).read_text(encoding="utf-8")
    assert (ROOT / "netral_nlp" / "py.typed").is_file()
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["netral_nlp"]
    assert "Typing :: Typed" in project["classifiers"]
    # PEP 639 license expressions need setuptools >= 77 at build time
    floor = next(r for r in config["build-system"]["requires"] if r.startswith("setuptools"))
    assert int(floor.split(">=")[1].split(".")[0]) >= 77
