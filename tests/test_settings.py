"""Settings come from the environment; without it, the embedded defaults need no server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "email": settings.EMAIL_BACKEND,
    "outbox": getattr(settings, "EMAIL_FILE_PATH", ""),
    "broker": settings.CELERY_BROKER_URL,
    "tz": settings.TIME_ZONE,
    "lang": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "debug": settings.DEBUG,
    "secret_len": len(settings.SECRET_KEY),
}))
"""
SETTINGS_VARS = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "SECRET_KEY",
    "DUBAN_ENV",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
}


def run_python(code, var_dir, **env):
    base = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    base.update(DJANGO_SETTINGS_MODULE="config.settings", DUBAN_VAR_DIR=str(var_dir), **env)
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_defaults_need_no_server(tmp_path):
    result = run_python(["-c", PROBE], tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "duban.sqlite3")
    assert values["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["outbox"] == str(tmp_path / "outbox")
    assert values["broker"] == "filesystem://"
    assert values["tz"] == "Asia/Shanghai"
    assert values["lang"] == "zh-hans" and "en" in values["languages"]
    assert values["debug"] is True
    # A development secret key is generated once and kept.
    assert values["secret_len"] >= 50
    assert (tmp_path / "secret_key").exists()
    again = json.loads(run_python(["-c", PROBE], tmp_path).stdout.strip().splitlines()[-1])
    assert again["secret_len"] == values["secret_len"]


def test_environment_overrides_defaults(tmp_path):
    result = run_python(
        ["-c", PROBE],
        tmp_path,
        DATABASE_URL="postgres://duban@db.example:5432/duban",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
        EMAIL_HOST="smtp.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["db_name"] == "duban"
    assert values["broker"] == "redis://127.0.0.1:6379/3"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_python(["-c", PROBE], tmp_path, DUBAN_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_deploy_check_is_clean_with_production_values(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DUBAN_ENV="production",
        SECRET_KEY="k3y-" + "x7Q" * 20,
        ALLOWED_HOSTS="duban.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("CHANGE-ME", "placeholder"),
        ("CHANGE-ME-" + "x7Q" * 20, "placeholder"),  # long, but still the example's value
        ("k3y-" + "x7Q" * 15, "49 characters"),
    ],
)
def test_finding_14_production_refuses_a_placeholder_or_short_secret_key(tmp_path, key, reason):
    result = run_python(
        ["-c", PROBE],
        tmp_path,
        DUBAN_ENV="production",
        SECRET_KEY=key,
        ALLOWED_HOSTS="duban.example.gov.cn",
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and reason in result.stderr
    # The example file's own value is one of the refused ones.
    example = (ROOT / "deploy" / "duban.env.example").read_text()
    assert "\nSECRET_KEY=CHANGE-ME\n" in example


def test_finding_14_production_starts_with_a_long_random_secret_key(tmp_path):
    import secrets

    result = run_python(
        ["-c", PROBE],
        tmp_path,
        DUBAN_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="duban.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["secret_len"] >= 50
