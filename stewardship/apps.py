from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    name = "stewardship"

    def ready(self) -> None:
        # Notices from below (hls.notices): barriers (cycles) become notifications here, and
        # Today shows them; a webhook turned off (hls.webhooks) tells its admins in-app; a
        # workspace given its default scales (systems) gets the starter questions. None of
        # them imports stewardship.
        from hls import notices
        from stewardship import today
        from stewardship.notifications import barriers, webhooks
        from stewardship.questions.services import starter_questions
        from stewardship.reports import subject_access

        barriers.connect()
        webhooks.connect()
        today.connect()  # Today's sessions, place cycles' participation, report drafts
        notices.subscribe(notices.SCALES_DEFAULTS_ADDED, starter_questions)
        subject_access.connect()  # reports quoting a person's stories, in their access file
