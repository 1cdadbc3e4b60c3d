"""The architecture's import contracts ([tool.importlinter] in pyproject.toml): the library
never imports Prefect or the flows, the store imports no stage, and each layer imports only
from the layers below it. Checked on the source with import-linter, in a process of its own
(it configures logging globally)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")


def test_the_import_contracts_are_kept():
    done = subprocess.run([sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert "3 kept, 0 broken" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
