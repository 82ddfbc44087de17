"""Benchmark of matches.balancing: time and proven optimality per lobby size and team count.

Run from the repository root::

    python bench/balance.py            # the table in docs/balancing.md
    python bench/balance.py --quick    # fewer lobbies per row

Each row balances N seeded random lobbies (ratings normal around 1500 with sd 250, RDs
uniform in 50..350) in this process and reports the median and worst wall time and the
share of lobbies whose optimum was proven (to the point), with the largest certified gap
(rating points the answer may be above the optimum) among those that were not. The
lobbies depend only on the row, so every run measures the same inputs. A lobby's time is
the least of three runs (``--repeat``): the answer and the work are the same each time, and
a shared machine's pauses would otherwise decide the worst column. The last table balances
600 seeded lobbies (150 with ``--quick``) as a community might bring them, each with its
own size, team count, newcomers, parties and apart pairs (``mixed_lobby``).
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matches.balancing import Infeasible, Member, balance

SIZES = (4, 8, 10, 12, 16, 20, 24, 32, 50, 100)
TEAMS = (2, 3, 4, 8, 16)
# Up to 24 players the proof should finish for every team count: every count the first
# table skips, up to teams of two, and teams of one and two (more teams than pairs).
SMALL_SIZES = (16, 18, 20, 22, 24)
ONES_AND_TWOS = ((16, 10), (20, 12), (24, 14), (24, 16))

Lobby = list[Member]
REPEAT = 3  # runs of each lobby by default; its time is the least


def realistic(rng: random.Random, n: int) -> Lobby:
    return [Member(i, rng.gauss(1500, 250), rng.uniform(50, 350)) for i in range(1, n + 1)]


def equal(rng: random.Random, n: int) -> Lobby:
    return [Member(i, 1500.0, rng.uniform(50, 350)) for i in range(1, n + 1)]


def hundreds(rng: random.Random, n: int) -> Lobby:
    return [Member(i, 100.0 * rng.randint(10, 20), 100.0) for i in range(1, n + 1)]


def outlier(rng: random.Random, n: int) -> Lobby:
    lobby = realistic(rng, n)
    lobby[0] = Member(1, 2900.0, 60.0)
    return lobby


def newcomers(rng: random.Random, n: int) -> Lobby:
    """A third to a half of the lobby new, at the starting rating: twins for the search."""
    new = rng.randint(n // 3, n // 2)
    return [
        Member(i, 1500.0, 350.0)
        if i <= new
        else Member(i, rng.gauss(1500, 250), rng.uniform(50, 200))
        for i in range(1, n + 1)
    ]


def clusters(rng: random.Random, n: int) -> Lobby:
    return [
        Member(i, rng.gauss(1100 if i % 2 else 1900, 40), rng.uniform(50, 350))
        for i in range(1, n + 1)
    ]


def measure(
    make: Callable[[random.Random, int], Lobby],
    n: int,
    k: int,
    lobbies: int,
    row: str,
    constraints: Callable[[random.Random, Lobby], dict] | None = None,
    repeat: int = REPEAT,
) -> tuple[float, float, float, float]:
    """Median ms, worst ms, % proven and the largest certified gap over seeded lobbies
    (each lobby's time the least of ``repeat`` runs)."""
    rng = random.Random(f"{row}/{n}/{k}")
    times, proven, certified = [], 0, 0.0
    for seed in range(lobbies):
        lobby = make(rng, n)
        extra = constraints(rng, lobby) if constraints else {}
        best = math.inf
        for _ in range(repeat):
            started = time.perf_counter()
            result = balance(lobby, teams=k, seed=seed, **extra)
            best = min(best, (time.perf_counter() - started) * 1000)
        times.append(best)
        proven += result.optimal
        certified = max(certified, result.certified_gap)
    return statistics.median(times), max(times), 100 * proven / lobbies, certified


def parties_and_apart(rng: random.Random, lobby: Lobby) -> dict:
    """Two parties of two and two apart pairs among the other players."""
    ids = [m.id for m in lobby]
    rng.shuffle(ids)
    return {"together": [ids[0:2], ids[2:4]], "apart": [(ids[4], ids[5]), (ids[6], ids[7])]}


def parties_of_three(rng: random.Random, lobby: Lobby) -> dict:
    ids = [m.id for m in lobby]
    rng.shuffle(ids)
    return {"together": [ids[i : i + 3] for i in range(0, 9, 3)]}


def mixed_lobby(rng: random.Random) -> tuple[Lobby, int, dict]:
    """A lobby as a community might bring it: 6 to 24 players in 3 teams or more (at least
    two a team), up to half of them newcomers at 1500, up to three parties of two or three
    and up to two apart pairs."""
    n = rng.randint(6, 24)
    k = rng.randint(3, n // 2)
    new = rng.randint(0, n // 2)
    lobby = [
        Member(i, 1500.0, 350.0)
        if i <= new
        else Member(i, rng.gauss(1500, 200), rng.uniform(50, 200))
        for i in range(1, n + 1)
    ]
    ids = [m.id for m in lobby]
    rng.shuffle(ids)
    together, apart, used = [], [], 0
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        size = rng.choice([2, 2, 3])
        if used + size <= n:
            together.append(ids[used : used + size])
            used += size
    for _ in range(rng.choice([0, 0, 0, 1, 2])):
        if used + 2 <= n:
            apart.append((ids[used], ids[used + 1]))
            used += 2
    return lobby, k, {"together": together, "apart": apart}


def measure_mix(lobbies: int, repeat: int) -> list[str]:
    """The mixed table's row: feasible lobbies, % proven, median, 99th percentile and worst
    ms, largest certified gap (lobbies whose constraints cannot be met are skipped)."""
    rng = random.Random("mixed")
    times, proven, certified = [], 0, 0.0
    for seed in range(lobbies):
        lobby, k, extra = mixed_lobby(rng)
        best = math.inf
        try:
            for _ in range(repeat):
                started = time.perf_counter()
                result = balance(lobby, teams=k, seed=seed, **extra)
                best = min(best, (time.perf_counter() - started) * 1000)
        except Infeasible:
            continue
        times.append(best)
        proven += result.optimal
        certified = max(certified, result.certified_gap)
    times.sort()
    p99 = times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)]
    return [
        f"{lobbies} ({len(times)} feasible)",
        f"{100 * proven / len(times):.1f}",
        f"{statistics.median(times):.1f}",
        f"{p99:.1f}",
        f"{times[-1]:.1f}",
        f"{certified:.1f}",
    ]


def cells(median: float, worst: float, proven: float, certified: float) -> list[str]:
    return [f"{median:.1f}", f"{worst:.1f}", f"{proven:.0f}", f"{certified:.1f}"]


def print_row(row: list[str]) -> None:
    print("| " + " | ".join(row) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 lobbies per row instead of 40")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs of each lobby (least)")
    args = parser.parse_args()
    lobbies = 10 if args.quick else 40
    repeat = max(1, args.repeat)

    print(f"python {platform.python_version()}, {lobbies} lobbies per row, least of {repeat} runs")
    print()
    print_row(["players", "teams", "median ms", "worst ms", "proven %", "max certified gap"])
    print_row(["---:"] * 6)
    for n in SIZES:
        for k in TEAMS:
            if 2 * k <= n:  # at least two players a team
                median, worst, proven, certified = measure(
                    realistic, n, k, lobbies, "random", repeat=repeat
                )
                print_row([str(n), str(k), *cells(median, worst, proven, certified)])

    print("\nUp to 24 players, the other team counts\n")
    print_row(["players", "teams", "median ms", "worst ms", "proven %", "max certified gap"])
    print_row(["---:"] * 6)
    shapes = [(n, k) for n in SMALL_SIZES for k in range(5, n // 2 + 1) if k not in TEAMS]
    for n, k in (*shapes, *ONES_AND_TWOS):
        median, worst, proven, certified = measure(
            realistic, n, k, lobbies, "random", repeat=repeat
        )
        print_row([str(n), str(k), *cells(median, worst, proven, certified)])

    print("\nAdversarial ratings and constraints\n")
    print_row(["lobby", "players", "teams", "median ms", "worst ms", "proven %", "max cert."])
    print_row(["---", *["---:"] * 6])
    usual = ((10, 2), (12, 3), (24, 4), (100, 2), (100, 4))
    cases = [
        ("all equal", equal, None, usual),
        ("multiples of 100", hundreds, None, usual),
        ("one outlier", outlier, None, usual),
        ("two clusters", clusters, None, (*usual[:3], (22, 3), (21, 7), (22, 7), *usual[3:])),
        (
            "newcomers at 1500",
            newcomers,
            None,
            (*usual[:3], (24, 6), (24, 8), (24, 10), *usual[3:]),
        ),
        ("2 parties of 2 + 2 apart pairs", realistic, parties_and_apart, usual),
        # Three parties of three cannot fit teams of 5 (10 players, 2 teams): Infeasible.
        (
            "3 parties of 3",
            realistic,
            parties_of_three,
            ((12, 2), (12, 3), (24, 4), (24, 8), (100, 4)),
        ),
    ]
    for name, make, constraints, shapes in cases:
        for n, k in shapes:
            figures = measure(make, n, k, lobbies, name, constraints, repeat)
            print_row([name, str(n), str(k), *cells(*figures)])

    print("\nA mixed sample: 6 to 24 players, 3 teams or more, newcomers, parties, apart pairs\n")
    print_row(["lobbies", "proven %", "median ms", "p99 ms", "worst ms", "max cert."])
    print_row(["---", *["---:"] * 5])
    print_row(measure_mix(15 * lobbies, repeat))


if __name__ == "__main__":
    main()
