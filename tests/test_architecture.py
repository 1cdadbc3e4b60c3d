"""The architecture's import contracts ([tool.importlinter] in pyproject.toml): the library
never imports Prefect, the flows or the research tools, the store imports no stage, each
layer imports only from the layers below it, and a stage's modules are used by other stages
only through its package. Checked on the source with import-linter, in a process of its own
(it configures logging globally)."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")


def test_the_import_contracts_are_kept():
    done = subprocess.run([sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"{len(contracts)} kept, 0 broken" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
