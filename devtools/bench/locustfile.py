"""The load for `make bench` (run by devtools.bench.run with locust, headless): each simulated
user goes round the plan's requests in order, without pauses. The plan (BENCH_PLAN, a JSON
file) names each request and carries its sign-in (session cookie or API key)."""

import json
import os
from typing import Any

from locust import HttpUser, constant, task

PLAN: list[dict[str, Any]] = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115


class Member(HttpUser):
    wait_time = constant(0)
    started = 0

    def on_start(self) -> None:
        # Users start spread over the plan, so that at concurrency 8 every page is under load.
        self.position = Member.started * len(PLAN) // max(self.environment.runner.user_count, 1)
        Member.started += 1

    @task
    def next_page(self) -> None:
        step = PLAN[self.position % len(PLAN)]
        self.position += 1
        with self.client.request(
            step["method"],
            step["path"],
            name=step["name"],
            headers=step["headers"],
            data=step.get("data"),
            json=step.get("json"),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code >= 400:
                response.failure(f"status {response.status_code}")
