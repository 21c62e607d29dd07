"""A worker registers every task the code can queue: checked in a fresh process, as a worker
starts (tests run tasks eagerly in-process, where an undiscovered task would still work)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT_DIRS = ("hls", "systems", "cycles", "stewardship")


def _declared_tasks() -> set[str]:
    """Every @shared_task function in the project's tasks.py files, by its Celery name."""
    names = set()
    for directory in PROJECT_DIRS:
        for path in (REPO / directory).rglob("tasks.py"):
            module = ".".join(path.relative_to(REPO).with_suffix("").parts)
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.FunctionDef) and any(
                    "shared_task" in ast.unparse(d) for d in node.decorator_list
                ):
                    names.add(f"{module}.{node.name}")
    return names


def test_a_worker_discovers_every_task() -> None:
    declared = _declared_tasks()
    assert "cycles.barriers.tasks.notify_barrier_landed" in declared
    script = (
        "import django; django.setup(); from hls.celery import app; "
        "app.loader.import_default_modules(); print('\\n'.join(sorted(app.tasks)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hls.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    registered = set(result.stdout.split())
    assert declared <= registered, f"not discovered by a worker: {declared - registered}"
