from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    name = "stewardship"

    def ready(self) -> None:
        # Barrier notices from cycles (hls.notices) become notifications here, and Today shows
        # them: cycles never imports stewardship.
        from stewardship.notifications import barriers

        barriers.connect()
