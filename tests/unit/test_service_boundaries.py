"""Each service owns its data end to end: no service — the register API included — imports another
service's modules, and the shared library and the contracts import none. They meet through contracts/."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "domain").is_dir())


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _services_imported(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for name in _imported(path):
            parts = name.split(".")
            if parts[0] == "services" and len(parts) > 1 and parts[1] in SERVICES:
                found.setdefault(parts[1], set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service):
    others = {name: files for name, files in _services_imported(ROOT / "services" / service).items() if name != service}
    assert others == {}


@pytest.mark.parametrize("library", ["shared", "contracts"])
def test_the_shared_library_and_the_contracts_import_no_service(library):
    assert _services_imported(ROOT / library) == {}


def test_the_check_would_see_an_import(tmp_path):
    module = tmp_path / "x.py"
    module.write_text("from services.cards.application import retention\nimport services.bonus.domain\n")
    assert _imported(module) >= {"services.cards.application", "services.bonus.domain"}
