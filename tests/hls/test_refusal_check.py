"""The suite's check that a refused write changes nothing (tests/conftest.py) can fail: a view
that writes and then refuses is caught, one that only refuses is not."""

import pytest
from django.test import Client, override_settings


@override_settings(ROOT_URLCONF="tests.refusal_urls", MIDDLEWARE=[])
def test_a_refusal_that_wrote_is_caught(workspace):
    client = Client()
    assert client.post("/tidy/").status_code == 403
    with pytest.raises(AssertionError, match=r"POST /leaky/ was refused \(403\) but changed"):
        client.post("/leaky/")
