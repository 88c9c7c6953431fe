"""Production readiness: `check --deploy` is clean with production settings taken from the
environment, the development secret is refused, responses carry the security headers and
secure cookies, and request bodies are limited. Each runs Django in a fresh process, since
settings are read once, at start."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

REPO = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "tessera.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
}
# Prints the headers and cookies of a login page fetched over HTTPS, and the status of one
# fetched over plain HTTP.
PROBE = """
import json
from django.test import Client
secure = Client().get("/admin/login/", secure=True, HTTP_HOST="tessera.example.com")
plain = Client().get("/admin/login/", HTTP_HOST="tessera.example.com")
cookie = secure.cookies["csrftoken"]
print(json.dumps({"headers": dict(secure.headers), "plain": [plain.status_code, plain["Location"]],
                  "csrf_cookie": {"secure": cookie["secure"], "samesite": cookie["samesite"]}}))
"""


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_is_clean_with_production_settings():
    # when
    done = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    # then
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_the_development_secret():
    # given production settings without a secret of their own
    environment = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}
    # when
    done = manage("check", **environment)
    # then
    assert done.returncode != 0
    assert "production refuses the development secret" in done.stderr


def test_production_answers_with_security_headers_and_secure_cookies():
    # when
    done = manage("shell", "-c", PROBE, **PRODUCTION)
    # then
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert seen["plain"] == [301, "https://tessera.example.com/admin/login/"]
    assert seen["csrf_cookie"] == {"secure": True, "samesite": "Lax"}


@pytest.mark.django_db
def test_a_json_body_over_the_limit_is_refused_with_413(admin_user, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.force_authenticate(admin_user)
    events = [{"profile": 1, "type": "click", "data": {"url": "https://x.example/"}}] * 50
    # when
    answer = client.post("/api/v1/events/", {"events": events}, format="json")
    small = client.post("/api/v1/events/", {"events": events[:1]}, format="json")
    # then
    assert answer.status_code == 413
    assert answer.json() == {"detail": "The request body is larger than 1000 bytes."}
    assert small.status_code == 202
