"""Hypothesis state machines on the real database (RuleBasedStateMachine through the services).

Each example runs inside a savepoint that `teardown` rolls back, so the next example starts
from the test's own world again (made once by the test's fixtures, in the test's transaction:
`pytest.mark.django_db` without `transaction=True`). Examples and steps are few, so each machine
runs in seconds; a failing sequence is shrunk and printed as the calls that broke it."""

from __future__ import annotations

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test


class InSavepoint(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)


def run(machine: type[RuleBasedStateMachine], *, examples: int = 12, steps: int = 12) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,  # no example kept between runs: each run is fresh, never flaky
        ),
    )
