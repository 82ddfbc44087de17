"""Every limit and work budget of the balancing search, in one place.

The budgets are counts of steps, never the clock, so the same input gives the same answer
on any machine, only later on a slower one. They are calibrated together with
bench/balance.py against the targets in docs/balancing.md.
"""

MAX_PLAYERS = 100
MAX_TEAMS = 16
MAX_ALTERNATIVES = 10
MAX_RATING = 100_000.0  # the sums are bitset widths: an absurd rating would make them huge
VOLATILITY = 0.06  # the volatility of the Ratings handed to team_win_probabilities

GRID = 2  # the search counts ratings in half points ...
ROUNDING = 0.5  # ... so a gap it computes is within half a point of the true gap
SLACK = 1.0  # "optimal" means proven within one rating point of the true optimum
# Lone players of one rating with no apart pair are *twins* to the proof's searches, which
# then try only one way to swap them; from this many of one rating on (two equal ratings
# happen by chance, and keeping track of them costs more than it saves).
TWINS = 3
FINE_GRID = 64  # the lower bounds count ratings in 1/64 points ...
FINE_ROUNDING = 1 / FINE_GRID  # ... so a spread they bound is within this of the true one

# Work budgets, counted in steps so the answer never depends on the machine's speed.
# Calibrated with bench/balance.py against the targets in docs/balancing.md.
DESCENT_BUDGET = {2: 3_000, 3: 20_000}  # swap evaluations of the local search (2 / 3+ teams)
RESTARTS = 8  # the local search stops after this many restarts in a row without progress
# Work units (about nodes) of the window proof for three teams or more: about 100 ms, and
# enough for nearly every lobby of up to EXACT_PLAYERS (which also get the proof's own
# search, window_proof._ProofSearch); a shorter try with the plain search beyond. The
# proof's search counts what the plain search would count for the work it still does, so
# it proves whatever the plain search proves within the same budget, with the same answer.
# Lobbies with teams of two and one other size get pairs_proof.PairsSearch instead, at
# any size, with the same budgets; its steps are weighted to take about as long. Up to
# EXACT_PLAYERS, with more teams of three than pairs, it leaves the last GENERAL_FALLBACK
# steps to the general search; teams of two and three with a party of two keep the
# general search alone.
EXACT_PLAYERS = 24
PROOF_BUDGET = 250_000
PROOF_BUDGET_LARGE = 100_000
GENERAL_FALLBACK = 50_000
# When the proof runs out, narrower searches (window_proof.narrow_down) get this many more
# steps: each that finishes raises the lower bound, so lowers the certified gap, or finds
# a better split. Up to EXACT_PLAYERS a little (the proof has had its long budget), more
# beyond: 32 players in 8 teams went from 19 of 40 lobbies proven to 30.
NARROW_BUDGET = 10_000
NARROW_BUDGET_LARGE = 30_000
CONSTRAINT_BUDGET = 200_000  # nodes of the feasibility search for parties and apart pairs
ENUM_CAP = 300  # the pool's window is listed exactly up to this many splits ...
ENUM_BUDGET = 20_000  # ... within this many search nodes
SAMPLE_SIZE = 32  # otherwise this many splits are sampled by a random walk ...
SAMPLE_THIN = 3  # ... keeping one split every this many accepted swaps
SAMPLE_STEPS = 3_000  # ... within this many proposed swaps
SEARCH_SEED = 0x7EA3BA1A  # the searches' own randomness; never the caller's seed
