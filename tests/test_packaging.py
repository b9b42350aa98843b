"""The package's own build: the editable install that ``make`` does is quiet and plain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.mark.slow
def test_editable_build_is_a_plain_pth_without_setuptools_warning(tmp_path):
    # `make demo` printed setuptools' "BuildBackendWarning: Editable installation ...
    # Please be careful with folders in your working directory": the flat layout made
    # setuptools install an import hook (and warn about it). With package-dir = {"" = "."}
    # the editable wheel is one .pth line naming the checkout, and nothing is warned.
    # A fresh, empty venv; this venv's pip installs into it, with build isolation (the
    # setuptools pyproject.toml asks for, as `make` gets it), no dependencies.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    run = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--no-deps", "--no-input", "--disable-pip-version-check", "-e", str(ROOT)],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    warned = [line for line in run.stderr.splitlines() if "Warning" in line
              and not line.startswith("WARNING: Location")]  # (this machine's pip index)
    assert warned == []
    assert "careful with folders" not in run.stderr
    site = next((venv / "lib").glob("python*/site-packages"))
    assert [p.name for p in site.glob("__editable__*finder*")] == []
    (pth,) = site.glob("__editable__*.pth")
    assert pth.read_text().strip() == str(ROOT)
