"""`make audit`: the locked dependencies (uv.lock, every group) against known vulnerabilities.

pip-audit reads the pins exported from the lock (no virtual environment is built: `--no-deps`
on an exact, complete list) and asks PyPI's advisory data about each release (its default
"pypi" service, pypi.org's JSON API per release). Any known vulnerability in a pin fails.

A pin pip-audit could not look up (PyPI unreachable, or a network that serves PyPI's JSON per
project but not per release) is looked up once more per project: when the pin is the project's
latest release, the project's JSON lists that release's vulnerabilities, so it is checked all
the same. A pin still unchecked after that fails with `--strict` (`make audit`, before a
release) and is listed as a warning otherwise (`make test`, so a network without PyPI's
per-release data does not stop the tests; the list says which pins were not checked and the
latest release of each).

Standard library only: it runs pip-audit in a subprocess, so it imports nothing of the app.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
PROJECT_JSON = "https://pypi.org/pypi/{name}/json"


@dataclass
class Result:
    vulnerable: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    checked: int = 0


def locked_requirements() -> str:
    return subprocess.run(  # noqa: S603 (our own venv's uv, fixed arguments)
        [
            str(VENV_BIN / "uv"), "export", "--frozen", "--format", "requirements-txt",
            "--all-groups", "--no-emit-project", "--no-hashes", "--quiet",
        ],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def pip_audit(requirements: str) -> dict:
    """pip-audit's JSON report. It exits 1 when it finds a vulnerability; anything else but 0
    is a failure of the tool itself."""
    done = subprocess.run(  # noqa: S603 (our own venv's pip-audit, fixed arguments)
        [
            str(VENV_BIN / "pip-audit"), "--requirement", "/dev/stdin", "--disable-pip",
            "--no-deps", "--format", "json", "--progress-spinner", "off",
        ],
        input=requirements, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr)
        raise SystemExit(f"audit: pip-audit failed (exit {done.returncode})")
    return json.loads(done.stdout)


def _describe(vulns: list[dict]) -> str:
    return ", ".join(
        f"{v['id']}"
        + (f" (fixed in {', '.join(v['fix_versions'])})" if v.get("fix_versions") else "")
        for v in vulns
    )


def project_latest(name: str) -> tuple[str, list[dict]] | None:
    """The project's latest release and its known vulnerabilities, or None when unreachable."""
    try:
        with urllib.request.urlopen(PROJECT_JSON.format(name=name), timeout=20) as answer:  # noqa: S310
            data = json.load(answer)
    except (urllib.error.URLError, TimeoutError, ValueError):
        return None
    vulns = [
        {"id": v.get("id", "?"), "fix_versions": v.get("fixed_in", [])}
        for v in data.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]
    return str(data["info"]["version"]), vulns


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: str) -> dict[str, str]:
    """{canonical name: version} of the exported `name==version` lines."""
    found = {}
    for line in requirements.splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)", line)
        if match:
            found[_canonical(match[1])] = match[3]
    return found


def audit() -> Result:
    requirements = locked_requirements()
    versions = pins(requirements)
    report = pip_audit(requirements)
    result = Result()
    skipped = []
    for dep in report["dependencies"]:
        if "skip_reason" in dep:
            skipped.append(dep)
        elif dep.get("vulns"):
            result.checked += 1
            result.vulnerable.append(f"{dep['name']} {dep['version']}: {_describe(dep['vulns'])}")
        else:
            result.checked += 1
    with ThreadPoolExecutor(max_workers=8) as pool:
        latest = list(pool.map(lambda dep: project_latest(dep["name"]), skipped))
    for dep, found in zip(skipped, latest, strict=True):
        version = dep.get("version") or versions.get(_canonical(dep["name"]), "?")
        pin = f"{dep['name']} {version}"
        if found is None:
            result.unchecked.append(f"{pin}: PyPI did not answer")
        elif found[0] != version:
            result.unchecked.append(f"{pin}: not the latest release ({found[0]})")
        else:
            result.checked += 1
            if found[1]:
                result.vulnerable.append(f"{pin}: {_describe(found[1])}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--strict", action="store_true", help="fail when any pin could not be checked"
    )
    args = parser.parse_args(argv)
    result = audit()
    total = result.checked + len(result.unchecked)
    print(f"audit: {result.checked} of {total} locked packages checked against PyPI's advisories")
    for line in result.vulnerable:
        print(f"audit: VULNERABLE {line}")
    if result.unchecked:
        word = "ERROR" if args.strict else "warning"
        print(f"audit: {word}: {len(result.unchecked)} not checked (run `make audit` where "
              "pypi.org's JSON API answers for every release):")  # fmt: skip
        for line in result.unchecked:
            print(f"audit:   {line}")
    if result.vulnerable:
        print("audit: upgrade each with `uv lock --upgrade-package NAME` and run its tests.")
        return 1
    return 1 if args.strict and result.unchecked else 0


if __name__ == "__main__":
    raise SystemExit(main())
