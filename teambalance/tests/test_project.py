"""The project as a whole: settings, health, schema, errors, architecture."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_health(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_schema_is_valid_openapi_with_every_endpoint(tmp_path, db):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in [
        "/api/v1/guilds/{guild_id}/players/{user_id}/:",
        "/api/v1/guilds/{guild_id}/matches/{match_id}/complete/:",
        "/api/v1/guilds/{guild_id}/matches/{match_id}/void/:",
        "/api/v1/guilds/{guild_id}/balance/:",
        "/api/v1/guilds/{guild_id}/stats/:",
    ]:
        assert path in text
    assert "'409':" in text and "'401':" in text and "bearer" in text


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_unknown_api_urls_answer_json_404(client, db):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert client.get("/nothing-here/").status_code == 404
    assert b"<html" in client.get("/nothing-here/").content


def test_debug_is_off_and_secrets_come_from_the_environment():
    assert settings.DEBUG is False
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", "import teambalance.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("HTTPS", "DEBUG", "DJANGO_SETTINGS_MODULE")
        },
        "SECRET_KEY": "x7" * 30 + "-production-like-secret-key-of-enough-length",
        "ALLOWED_HOSTS": "teambalance.example.org",
        "DJANGO_SETTINGS_MODULE": "teambalance.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_sqlite_holds_concurrent_writers(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert connection.transaction_mode == "IMMEDIATE"
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


def _imports(app: str) -> set[str]:
    """Every module (or module.name) an app's code imports, tests aside."""
    names = set()
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _of(names: set[str], app: str) -> set[str]:
    return {n for n in names if n == app or n.startswith(f"{app}.")}


def test_dependencies_point_one_way():
    """ratings may import matches and users; matches never imports ratings and users
    imports neither -- except ratings' pure engine, which has no Django and no app
    imports: the one win-probability and RD formula of the product."""
    users = _imports("users")
    assert not _of(users, "matches")
    assert all(n.startswith("ratings.glicko2") for n in _of(users, "ratings"))
    matches = _imports("matches")
    assert all(n.startswith("ratings.glicko2") for n in _of(matches, "ratings"))
    pure_modules = [
        ROOT / "ratings" / "glicko2.py",
        *sorted((ROOT / "matches" / "balancing").glob("*.py")),
    ]
    for pure in pure_modules:
        tree = ast.parse(pure.read_text())
        imported = {
            alias.name if isinstance(node, ast.Import) else node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not {
            n for n in imported if n and n.split(".")[0] in {"django", "rest_framework", "users"}
        }
