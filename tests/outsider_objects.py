"""Makers of one real object per URL keyword, for the generated outsider matrix.

Each app's tests declare theirs in `tests/<app>/objects.py` (an area with several owners may add
`tests/<app>/objects_<part>.py` beside it) as a module-level
`MAKERS = {"system_id": make_system, ...}`, each `make(workspace, membership) -> id` called inside
`tenant_scope(workspace)`. They are discovered here, so no app edits another's test file.
"""

import importlib
import pkgutil
from collections.abc import Callable

import tests

Maker = Callable[..., object]


def object_makers() -> dict[str, Maker]:
    makers: dict[str, Maker] = {}
    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{package.name}.objects")
        except ModuleNotFoundError as error:
            if error.name != f"tests.{package.name}.objects":
                raise
            continue
        makers.update(module.MAKERS)
    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        inner = importlib.import_module(f"tests.{package.name}")
        for part in pkgutil.iter_modules(inner.__path__):
            if part.name.startswith("objects_"):
                module = importlib.import_module(f"tests.{package.name}.{part.name}")
                makers.update(module.MAKERS)
    return makers
