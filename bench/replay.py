"""How long corrections take on a big guild: replaying a 10,000-match history.

    python bench/replay.py [--matches 10000] [--players 200]

Builds a guild of 5v5 matches in a fresh database (SQLite under var/ by default, or
DATABASE_URL), rates it once from scratch, then times the corrections an admin makes:
a recompute of a consistent history (nothing to write), voiding the newest, a middle and
the oldest match, and correcting a middle match's result. Prints a markdown table.
"""

import contextlib
import os
import platform
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teambalance.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-replay.sqlite3'}")


def main(matches: int = 10_000, players: int = 200) -> None:
    import django

    if os.environ["DATABASE_URL"].startswith("sqlite:///"):
        path = Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from matches.models import Match, Participant
    from ratings import services
    from ratings.models import RatingChange
    from users.models import Guild, Player

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    guild = Guild.objects.create(discord_id=900000000000000001, name="Bench")
    Player.objects.bulk_create(
        Player(guild=guild, user_id=10_000 + i, username=f"p{i}") for i in range(players)
    )
    pks = list(Player.objects.filter(guild=guild).values_list("pk", flat=True))
    start = timezone.now() - timedelta(days=400)
    Match.objects.bulk_create(
        (
            Match(
                guild=guild,
                team_count=2,
                status=Match.Status.COMPLETED,
                placements=rng.choice([[1, 2], [2, 1], [1, 2], [2, 1], [1, 1]]),
                created_at=start + timedelta(minutes=50 * n),
                completed_at=start + timedelta(minutes=50 * n + 30),
            )
            for n in range(matches)
        ),
        batch_size=2000,
    )
    lineups = []
    for match_pk in Match.objects.filter(guild=guild).order_by("pk").values_list("pk", flat=True):
        ten = rng.sample(pks, 10)
        lineups += [
            Participant(match_id=match_pk, player_id=p, team=1 + i // 5) for i, p in enumerate(ten)
        ]
    Participant.objects.bulk_create(lineups, batch_size=5000)
    # Records as the match service would have kept them (replays don't touch them).
    from matches.services import outcome_for, players_recount

    outcomes = []
    for participant in Participant.objects.select_related("match").iterator(chunk_size=5000):
        participant.outcome = outcome_for(participant.match.placements, participant.team)
        outcomes.append(participant)
    Participant.objects.bulk_update(outcomes, ["outcome"], batch_size=2000)
    players_recount(player_ids=pks)

    ordered = list(Match.objects.filter(guild=guild).rated())
    rows = []

    def timed(label, operation):
        before = RatingChange.objects.count()
        began = time.perf_counter()
        changes = operation()
        elapsed = time.perf_counter() - began
        written = RatingChange.objects.count() - before
        rows.append((label, elapsed, written, len(changes)))
        print(f"{label}: {elapsed:.2f} s", file=sys.stderr)

    timed(
        "rate the whole history from scratch (writes every row)",
        lambda: services.ratings_recompute(guild=guild, actor="bench"),
    )
    timed(
        "recompute a consistent history (nothing to write)",
        lambda: services.ratings_recompute(guild=guild, actor="bench"),
    )
    timed("void the newest match", lambda: services.match_void(match=ordered[-1], actor="bench"))
    timed(
        "correct a match in the middle",
        lambda: services.match_correct(
            match=ordered[len(ordered) // 2],
            placements=[2, 1] if ordered[len(ordered) // 2].placements != [2, 1] else [1, 2],
            actor="bench",
        ),
    )
    timed(
        "void the oldest match (replays everything)",
        lambda: services.match_void(match=ordered[0], actor="bench"),
    )
    timed(
        "dry run: void the second match",
        lambda: services.match_void(match=ordered[1], actor="bench", dry_run=True),
    )

    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration, subprocess.CalledProcessError):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in subprocess.run(
                ["lscpu"], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Model name")
        )
    print(
        f"\n{matches:,} 5v5 matches, {players} players, {connection.vendor}; "
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| operation | seconds | ledger rows written | players changed |")
    print("|---|---:|---:|---:|")
    for label, elapsed, written, changed in rows:
        print(f"| {label} | {elapsed:.2f} | {written:,} | {changed} |")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=10_000)
    parser.add_argument("--players", type=int, default=200)
    args = parser.parse_args()
    main(args.matches, args.players)
