"""An email backend for the real-worker tests: appends each message to a file (one JSON line),
and on the Nth message (NOTIFY_MAIL_HANG_AT) touches a "reached" file and hangs *before*
writing, so the test can kill the worker in the middle of a send."""

import json
import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FileLineBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        path = Path(os.environ["NOTIFY_MAIL_FILE"])
        hang_at = int(os.environ.get("NOTIFY_MAIL_HANG_AT", "0"))
        for message in email_messages:
            count = len(path.read_text().splitlines()) if path.exists() else 0
            if hang_at and count + 1 == hang_at:
                Path(os.environ["NOTIFY_MAIL_REACHED"]).touch()
                time.sleep(3600)
            line = {
                "to": message.to,
                "subject": message.subject,
                "key": message.extra_headers.get("X-Idempotency-Key"),
                "message_id": message.extra_headers.get("Message-ID"),
            }
            with path.open("a") as out:
                out.write(json.dumps(line) + "\n")
        return len(email_messages)
