from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "cycles"

    def ready(self) -> None:
        # Today (hls.notices): the cycles' sections of the member's day. The core imports no
        # domain app, so the sections are added from here.
        from cycles import subject_access, today

        today.connect()
        # A person's subject access file (systems/people/subject_access.py): what the cycles
        # hold about them.
        subject_access.connect()
