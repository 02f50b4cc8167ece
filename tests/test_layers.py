"""The layering is kept: import-linter's contracts in pyproject.toml (stages and engine independent, no cycles)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports")
    assert lint is not None, "import-linter is in the test extra: pip install -e '.[test]'"
    result = subprocess.run([lint, "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_the_stages_never_import_the_engine_and_the_engine_no_stage() -> None:
    """The same rule read off the source, so that it holds even where import-linter could be misconfigured."""
    for folder, forbidden in (("stages", "engine"), ("engine", "stages")):
        for path in (REPO / "builder" / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert f"from ..{forbidden}" not in text and f"builder.{forbidden}" not in text, path
