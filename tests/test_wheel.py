"""The wheel, installed into a fresh virtualenv, starts and builds a digest from any folder (slow: one test)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from builder import __version__
from conftest import REPO


def run(*command: str | Path, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def test_installed_wheel_inits_and_builds_a_digest_from_another_folder(tmp_path: Path) -> None:
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", tmp_path / "dist", REPO, cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("digest-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"builder/templates/base.html", "builder/templates/static/style.css", "builder/live.js",
            "builder/starter/site/config.yaml"} <= set(names)
    assert not any(name.startswith(("tests/", "content/", "templates/")) for name in names)

    run(sys.executable, "-m", "venv", tmp_path / "venv", cwd=tmp_path)
    digest = tmp_path / "venv" / "bin" / "digest"
    run(tmp_path / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run(digest, "--version", cwd=elsewhere).strip() == f"digest, version {__version__}"
    run(digest, "init", "site", cwd=tmp_path)
    run(digest, "new", "Hello from the wheel", "--source", tmp_path / "site", cwd=elsewhere)
    assert "built 24 pages from 2 articles" in run(digest, "build", "--source", tmp_path / "site", cwd=elsewhere)
    home = (tmp_path / "site" / "public" / "index.html").read_text(encoding="utf-8")
    assert "Riverton council freezes bus fares" in home
    assert (tmp_path / "site" / "public" / "static" / "style.css").read_bytes() == \
        (REPO / "templates" / "static" / "style.css").read_bytes()
