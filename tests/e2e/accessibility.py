"""Run axe-core on a page and fail on serious or critical WCAG 2.x A/AA violations."""

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def _describe(violation: dict[str, Any]) -> str:
    lines = [
        f"- {violation['id']} ({violation['impact']}): {violation['help']}",
        f"  {violation['helpUrl']}",
    ]
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        lines.append(f"  * {target}")
        lines.append(f"    {node['html'].strip()[:200]}")
        summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
        if summary:
            lines.append(f"      {summary}")
    return "\n".join(lines)


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.x A/AA violations axe finds on the page as it is now."""
    results = _axe.run(page, options=AXE_OPTIONS)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def check_accessibility(page: Page) -> None:
    violations = accessibility_violations(page)
    if violations:
        report = "\n".join(_describe(v) for v in violations)
        raise AssertionError(
            f"axe found {len(violations)} serious/critical accessibility violation(s) "
            f"on {page.url}:\n{report}"
        )
