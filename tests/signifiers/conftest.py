"""The signifiers' tests start from the cycles' world (tests/cycles/conftest.py): the shared cast
with a learning partner taking part in the team's cycle, a practitioner with no tie to it and an
admin of another workspace."""

from tests.cycles.conftest import world  # noqa: F401
