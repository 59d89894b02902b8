"""Every built-in source has a golden test and a fixture in the tool's real export format.

The rule, for each built-in source NAME (a file pipelines/sources/NAME.yaml, .yml or .toml):

1. Test module: ``tests/test_source_NAME.py`` exists (``tests/test_NAME.py`` is accepted too; the
   HubSpot module is ``test_hubspot_contacts.py``), and its text mentions NAME.
2. Fixture: a file in ``tests/fixtures/sources/`` whose name starts with NAME (``NAME.csv``,
   ``NAME_en.csv``, ``NAME_reexport.csv`` ...), OR the test module defines a top-level function
   ``write_fixture`` that builds the fixture at test time (for formats better written by code:
   GBK text, UTF-16, .xlsx).

And the other way round: every file in ``tests/fixtures/sources/`` starts with the name of a
built-in source, so a fixture cannot outlive its source unnoticed.
"""

import ast
from pathlib import Path

import pytest

from conftest import FIXTURES

TESTS = Path(__file__).parent
BUILTIN = Path(__file__).resolve().parents[1] / "pipelines" / "sources"
SOURCE_NAMES = sorted(p.stem for p in BUILTIN.iterdir() if p.suffix in (".yaml", ".yml", ".toml"))
FIXTURE_FILES = sorted(p.name for p in (FIXTURES / "sources").iterdir() if p.is_file())


def _module_for(name: str) -> Path | None:
    for candidate in (TESTS / f"test_source_{name}.py", TESTS / f"test_{name}.py"):
        if candidate.is_file():
            return candidate
    return None


def _writes_fixture(module: Path) -> bool:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name == "write_fixture" for node in tree.body)


def test_there_are_builtin_sources():
    assert "hubspot_contacts" in SOURCE_NAMES and len(SOURCE_NAMES) >= 11


@pytest.mark.parametrize("name", SOURCE_NAMES)
def test_builtin_source_has_a_test_module_and_a_fixture(name):
    module = _module_for(name)
    assert module is not None, f"no tests/test_source_{name}.py for built-in source {name}"
    assert name in module.read_text(encoding="utf-8"), f"{module.name} does not mention {name}"
    committed = [f for f in FIXTURE_FILES if f.startswith(name)]
    assert committed or _writes_fixture(module), (
        f"built-in source {name} has no fixture: add tests/fixtures/sources/{name}.<ext> "
        f"or a write_fixture() function in {module.name}"
    )


def test_every_fixture_belongs_to_a_builtin_source():
    orphans = [f for f in FIXTURE_FILES if not any(f.startswith(name) for name in SOURCE_NAMES)]
    assert orphans == []
