from ratings.services import ratings_apply_match


def rate_completed_match(sender, match, participants, **kwargs):
    """On ``match_completed``: apply Glicko-2 to the match, in the completing transaction."""
    ratings_apply_match(match=match, participants=participants)
