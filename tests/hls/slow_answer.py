"""For tests only: a request carrying `X-Test-Slow-Answer: <seconds>` is answered that much
later, after the view has done its work but before its transaction commits, like a server
under load whose answer arrives after the browser gave up. When `SLOW_ANSWER_REACHED` names a
file, it is created as the wait begins, so a test knows the work is done and not committed."""

import os
import time
from collections.abc import Callable
from pathlib import Path

from django.http import HttpRequest, HttpResponse


class SlowAnswerMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        delay = request.headers.get("X-Test-Slow-Answer", "")
        if delay:
            if reached := os.environ.get("SLOW_ANSWER_REACHED"):
                Path(reached).touch()
            time.sleep(float(delay))
        return response
