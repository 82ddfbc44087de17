"""Screenshots of the demo pages for the README: `make screenshots`.

Starts gunicorn on a free port against the database in DATABASE_URL (loaded with the
demo), points headless Chromium at the pages and writes PNGs into the given folder.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import browser  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teambalance.settings")
    import django

    django.setup()
    from matches.models import Match
    from ratings.management.commands.load_demo import DEMO_GUILD_ID
    from ratings.stats import leaderboard
    from users.models import Guild

    guild = Guild.objects.get(discord_id=DEMO_GUILD_ID)
    top = leaderboard(guild).standings[0].player
    match = (
        Match.objects.filter(guild=guild, status="completed", team_count=2)
        .order_by("-completed_at")
        .first()
    )

    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "teambalance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)  # noqa: S310 - our own server
                break
            except OSError:
                time.sleep(0.2)
        out.mkdir(parents=True, exist_ok=True)
        g = f"{base}/g/{DEMO_GUILD_ID}"
        shots = [
            ("leaderboard.png", f"{g}/", 1200, 1500),
            ("profile.png", f"{g}/players/{top.user_id}/", 1200, 1500),
            ("match.png", f"{g}/matches/{match.match_id}/", 1200, 900),
            ("leaderboard-phone.png", f"{g}/", 390, 844),
        ]
        for name, url, width, height in shots:
            browser.screenshot(url, out / name, width, height)
            print(out / name)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
