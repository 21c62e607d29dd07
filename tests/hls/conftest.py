"""Fixtures of the tests here that start real processes."""

from collections.abc import Iterator

import pytest

from tests.webhooks.receivers import Receiver, receiving


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback that answers at once."""
    with receiving("answer") as found:
        yield found
