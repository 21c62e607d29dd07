"""Every workspace URL belongs to a hand-written role table. Each area's table test checks its
rows against `workspace_urls("<its views' module prefix>")`; this guard reads those calls from
the test files and fails when a view module (a new app's, say) is under no table's prefix."""

import ast
from pathlib import Path

from tests.workspace_urls import workspace_urls

TESTS = Path(__file__).resolve().parents[1]


def _table_prefixes() -> dict[str, str]:
    """{module prefix: test file} for every `workspace_urls("prefix")` call in a test that
    checks a role table (a module-level EXPECTED beside it)."""
    found: dict[str, str] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(), str(path))
        names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        if "EXPECTED" not in names:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "workspace_urls"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found[node.args[0].value] = str(path.relative_to(TESTS))
    return found


def test_every_workspace_view_module_has_a_role_table():
    prefixes = _table_prefixes()
    assert "dataio." in prefixes
    modules = sorted({url.module for url in workspace_urls()})
    untabled = [m for m in modules if not any(m.startswith(p) for p in prefixes)]
    assert not untabled, (
        f"no role table covers {untabled}: add tests/<app>/test_permissions.py with an EXPECTED "
        "table checked against workspace_urls('<module prefix>')"
    )
