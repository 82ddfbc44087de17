from django.dispatch import Signal

# Sent by ``matches.services.match_complete`` (and only there), inside the transaction that
# completes the match, after its result is saved and before the players' records are
# updated. Receivers get:
#   match         the completed Match (placements and completed_at set);
#   participants  its Participant rows, team order, each with ``.player`` loaded and
#                 locked, as the player stood before this match.
# A receiver that raises rolls the completion back: a match is rated exactly when it
# completes.
match_completed = Signal()
