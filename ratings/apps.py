from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "Ratings"

    def ready(self):
        from matches.signals import match_completed
        from ratings.receivers import rate_completed_match

        match_completed.connect(rate_completed_match, dispatch_uid="ratings.rate_completed_match")
