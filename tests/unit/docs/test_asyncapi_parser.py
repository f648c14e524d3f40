"""The official AsyncAPI parser (`@asyncapi/parser` 3.x from npm, installed in tools/asyncapi-check by
deploy/bootstrap.sh) accepts every committed document: what a consumer's tooling reads is valid, not
only what our own generator writes."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from coopreg.asyncapi import DOCS
from services.registry import SERVICES
from shared.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

CHECKER = PROJECT_ROOT / "tools" / "asyncapi-check"


def _parse(paths: list) -> list[dict]:
    node = shutil.which("node")
    assert node, "node is missing: run `make setup` (deploy/bootstrap.sh installs it)"
    assert (CHECKER / "node_modules" / "@asyncapi" / "parser").is_dir(), \
        "the AsyncAPI parser is missing: run `make setup` (npm ci in tools/asyncapi-check)"
    done = subprocess.run([node, str(CHECKER / "check.mjs"), *map(str, paths)], capture_output=True, text=True,
                          timeout=120, cwd=CHECKER)
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_the_official_parser_accepts_every_services_document():
    paths = [DOCS / f"{name}.yaml" for name in sorted(SERVICES)]
    results = _parse(paths)
    assert [r["path"] for r in results] == [str(p) for p in paths]
    refused = {r["path"]: r["errors"] for r in results if not r["accepted"]}
    assert refused == {}
    # Warnings are the parser's advice (a missing description, say): none is left unanswered.
    assert {r["path"]: r["warnings"] for r in results if r["warnings"]} == {}


def test_the_parser_refuses_what_it_should(tmp_path):
    """The check can fail: OpenAPI's discriminator object, as pydantic writes it, is refused."""
    broken = tmp_path / "broken.yaml"
    broken.write_text((DOCS / "cards.yaml").read_text().replace(
        "discriminator: command", "discriminator:\n        propertyName: command"))
    assert "propertyName" in broken.read_text()
    [result] = _parse([broken])
    assert not result["accepted"]
    assert any("discriminator" in error for error in result["errors"])
