"""`make audit` (devtools/audit.py): a known vulnerability in a locked pin fails, whether
pip-audit found it or the project's own JSON did (for a pin that is the latest release); a pin
that could not be checked fails only when strict, and is named either way."""

import pytest

from devtools import audit

REQUIREMENTS = """\
# exported by uv
django==5.2.19
    # via hls-learning-cycles
psycopg-binary==3.3.2 ; implementation_name != 'pypy'
celery[redis]==5.5.3
nh3==0.3.2
"""


@pytest.fixture
def world(monkeypatch):
    """pip-audit checked django and nh3 and could not look up the other two; the project JSON
    says psycopg-binary 3.3.2 is the latest release, celery has a newer one."""
    state = {"vulns": [], "latest_vulns": []}
    monkeypatch.setattr(audit, "locked_requirements", lambda: REQUIREMENTS)

    def pip_audit(requirements):
        assert requirements == REQUIREMENTS
        return {
            "dependencies": [
                {"name": "django", "version": "5.2.19", "vulns": state["vulns"]},
                {"name": "nh3", "version": "0.3.2", "vulns": []},
                {"name": "psycopg-binary", "skip_reason": "not found"},
                {"name": "celery", "skip_reason": "not found"},
            ]
        }

    latest = {"psycopg-binary": "3.3.2", "celery": "5.6.0"}
    monkeypatch.setattr(audit, "pip_audit", pip_audit)
    monkeypatch.setattr(audit, "project_latest", lambda name: (latest[name], state["latest_vulns"]))
    return state


def test_the_pins_are_read_from_the_export():
    assert audit.pins(REQUIREMENTS) == {
        "django": "5.2.19",
        "psycopg-binary": "3.3.2",
        "celery": "5.5.3",
        "nh3": "0.3.2",
    }


def test_no_vulnerability_passes_and_names_what_was_not_checked(world, capsys):
    assert audit.main([]) == 0
    out = capsys.readouterr().out
    assert "3 of 4 locked packages checked" in out
    assert "celery 5.5.3: not the latest release (5.6.0)" in out
    assert audit.main(["--strict"]) == 1


def test_a_vulnerability_found_by_pip_audit_fails(world, capsys):
    world["vulns"] = [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"]}]
    assert audit.main([]) == 1
    assert "VULNERABLE django 5.2.19: PYSEC-2099-1 (fixed in 5.2.20)" in capsys.readouterr().out


def test_a_vulnerability_of_a_latest_release_fails(world, capsys):
    world["latest_vulns"] = [{"id": "GHSA-xxxx", "fix_versions": []}]
    assert audit.main([]) == 1
    assert "VULNERABLE psycopg-binary 3.3.2: GHSA-xxxx" in capsys.readouterr().out
