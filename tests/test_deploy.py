"""deploy/: the compose file, systemd units, nginx site, gunicorn config and env example agree
with the settings. Docker cannot run on this machine, so the compose file is checked by
parsing it (services, commands, environment), not by starting it; nginx's own parser checks
the site when nginx is installed; gunicorn checks its config by loading the app."""

import ast
import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}


def env_vars_read_by(path):
    """Names passed as constants to env_*() or os.environ.get()/os.getenv() in a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        called = ast.unparse(node.func)
        if called in ENV_HELPERS or called in {"os.environ.get", "os.getenv"}:
            names.add(first.value)
    return names


def env_example():
    """{name: value} of the example, commented defaults (`# NAME=value`) included."""
    entries = {}
    for line in (DEPLOY / "duban.env.example").read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            entries[match.group(1)] = match.group(2).strip()
    return entries


def active_env_example():
    lines = (DEPLOY / "duban.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line))


# --- environment example ---------------------------------------------------------------


def test_settings_read_the_environment_through_helpers_this_test_can_see():
    names = env_vars_read_by(ROOT / "config" / "settings.py")
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DUBAN_MAX_UPLOAD_BYTES"} <= names


def test_env_example_lists_every_variable_the_settings_read():
    missing = env_vars_read_by(ROOT / "config" / "settings.py") - set(env_example())
    assert not missing, f"add to deploy/duban.env.example: {sorted(missing)}"


def test_env_example_lists_every_variable_gunicorn_systemd_and_compose_read():
    names = env_vars_read_by(DEPLOY / "gunicorn.conf.py")
    for path in [*DEPLOY.glob("systemd/*.service"), DEPLOY / "docker-compose.yml"]:
        names |= set(re.findall(r"\$\$?\{([A-Z][A-Z0-9_]*)", path.read_text()))
    missing = names - set(env_example())
    assert not missing, f"add to deploy/duban.env.example: {sorted(missing)}"


def test_env_example_is_production_and_never_sets_the_test_clock():
    active = active_env_example()
    assert active["DUBAN_ENV"] == "production"
    assert "DUBAN_FAKE_NOW" not in active
    assert active["DATABASE_URL"].startswith("postgres://")
    assert active["CELERY_BROKER_URL"].startswith("redis://")
    assert int(active["DUBAN_MAX_UPLOAD_BYTES"]) == settings.DUBAN_MAX_UPLOAD_BYTES
    assert active["DUBAN_WORKER_QUEUES"].split(",") == settings.DUBAN_QUEUES


@pytest.mark.slow
def test_deploy_check_is_clean_with_the_env_example_loaded_by_manage_sh(tmp_path):
    """deploy/manage.sh reads the env file (values with spaces and <> included)."""
    example = (DEPLOY / "duban.env.example").read_text()
    overrides = {
        "SECRET_KEY": "k3y-" + "x7Q" * 20,
        "DUBAN_VAR_DIR": tmp_path / "var",
        "STATIC_ROOT": tmp_path / "static",
        "MEDIA_ROOT": tmp_path / "uploads",
    }
    for name, value in overrides.items():
        example = re.sub(rf"^{name}=.*$", f"{name}={value}", example, flags=re.M)
    (tmp_path / "duban.env").write_text(example)
    # Nothing from this test process leaks in (`check --deploy` refuses, rightly,
    # DJANGO_ALLOW_ASYNC_UNSAFE, which browser tests set).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in env_example() and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(DUBAN_ENV_FILE=str(tmp_path / "duban.env"), DUBAN_PYTHON=sys.executable)
    result = subprocess.run(
        [str(DEPLOY / "manage.sh"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert (tmp_path / "var").is_dir() and (tmp_path / "static").is_dir()
    shell = subprocess.run(
        [
            str(DEPLOY / "manage.sh"),
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shell.stdout.strip().splitlines()[-1] == "督办台 <duban@example.gov.cn>", shell.stderr


# --- docker compose ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def command_text(service):
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_compose_runs_the_six_services(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat", "nginx"}


def test_compose_app_services_are_production_on_postgres_and_redis(compose):
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        env = service["environment"]
        assert env["DUBAN_ENV"] == "production"
        assert env["DATABASE_URL"].startswith("postgres://duban:${POSTGRES_PASSWORD")
        assert env["DATABASE_URL"].endswith("@postgres:5432/duban")
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
        assert service["env_file"] == "duban.env"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_web_migrates_collects_static_and_runs_gunicorn(compose):
    web = compose["services"]["web"]
    command = command_text(web)
    assert command.index("migrate") < command.index("collectstatic") < command.index("gunicorn")
    assert "gunicorn -c deploy/gunicorn.conf.py config.wsgi" in command
    assert web["environment"]["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert "ports" not in web, "only nginx is published"


def test_compose_worker_listens_on_every_queue_and_beat_runs_once(compose):
    worker = command_text(compose["services"]["worker"])
    assert "celery -A config worker" in worker
    assert "DUBAN_WORKER_QUEUES:-" + ",".join(settings.DUBAN_QUEUES) in worker
    beat = command_text(compose["services"]["beat"])
    assert "celery -A config beat" in beat
    assert "deploy" not in compose["services"]["beat"], "beat must not be replicated"


def test_compose_nginx_serves_static_but_not_uploads(compose):
    nginx = compose["services"]["nginx"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in nginx["volumes"]}
    web_mounts = {v.split(":")[1]: v.split(":")[0] for v in compose["services"]["web"]["volumes"]}
    assert mounts["/srv/duban/static"] == web_mounts["/srv/duban/static"] == "static"
    assert "/srv/duban/uploads" not in mounts
    assert mounts["/etc/nginx/conf.d/default.conf"] == "./nginx/duban.conf"
    assert mounts["/etc/nginx/conf.d/upstream.conf"] == "./nginx/upstream-compose.conf"
    assert sorted(nginx["ports"]) == ["443:443", "80:80"]


def test_compose_databases_have_healthchecks_and_volumes(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "static", "uploads"}


def test_dockerfile_copies_everything_the_app_reads_at_run_time():
    text = (DEPLOY / "Dockerfile").read_text()
    copied = {
        word for line in text.splitlines() if line.startswith("COPY") for word in line.split()[1:-1]
    }
    assert {
        "config",
        "tracker",
        "dashboards",
        "templates",
        "static",
        "locale",
        "manage.py",
        "pyproject.toml",
        "deploy",
    } <= copied
    assert "pip install -e ." in text, "settings find templates next to the code"


# --- systemd -------------------------------------------------------------------------------


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text().replace("\\\n", " "))
    return parser


@pytest.mark.parametrize(
    "name",
    ["duban-web.service", "duban-worker.service", "duban-worker@.service", "duban-beat.service"],
)
def test_every_unit_runs_as_duban_with_the_env_file_and_restarts(name):
    service = unit(name)["Service"]
    assert service["User"] == "duban"
    assert service["EnvironmentFile"] == "/etc/duban/duban.env"
    assert service["WorkingDirectory"] == "/srv/duban/app"
    assert service["Restart"] == "on-failure"
    assert service["ExecStart"].startswith("/srv/duban/app/.venv/bin/")
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_web_unit_runs_gunicorn_with_the_config():
    exec_start = unit("duban-web.service")["Service"]["ExecStart"]
    assert exec_start.endswith("gunicorn -c deploy/gunicorn.conf.py config.wsgi")


def test_worker_unit_listens_on_every_queue_by_default():
    service = unit("duban-worker.service")["Service"]  # (keeps the last Environment= only)
    assert "-Q ${DUBAN_WORKER_QUEUES}" in service["ExecStart"]
    text = (DEPLOY / "systemd" / "duban-worker.service").read_text()
    assert f"Environment=DUBAN_WORKER_QUEUES={','.join(settings.DUBAN_QUEUES)}\n" in text
    assert "-Q %i" in unit("duban-worker@.service")["Service"]["ExecStart"]


def test_beat_unit_runs_beat():
    assert "celery -A config beat" in unit("duban-beat.service")["Service"]["ExecStart"]


# --- nginx ---------------------------------------------------------------------------------

SITE = (DEPLOY / "nginx" / "duban.conf").read_text()


def size_in_bytes(value):
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].isalpha() else int(value)


def test_nginx_accepts_uploads_a_little_larger_than_django_does():
    (limit,) = re.findall(r"client_max_body_size\s+(\S+);", SITE)
    limit = size_in_bytes(limit)
    assert settings.DUBAN_MAX_UPLOAD_BYTES < limit <= settings.DUBAN_MAX_UPLOAD_BYTES + 2 * 1024**2


def test_nginx_terminates_tls_and_redirects_plain_http():
    assert re.search(r"listen 443 ssl", SITE)
    assert "ssl_certificate /etc/duban/tls/fullchain.pem;" in SITE
    assert "return 301 https://$host$request_uri;" in SITE


def test_nginx_tells_django_the_scheme_in_every_proxied_location():
    locations = re.findall(r"location [^{]+\{([^}]*)\}", SITE)
    proxied = [body for body in locations if "proxy_pass" in body]
    assert len(proxied) >= 2
    for body in proxied:
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in body
        assert "proxy_set_header Host $host;" in body


def test_nginx_serves_static_root_and_never_the_uploads():
    static_root = env_example()["STATIC_ROOT"]
    assert re.search(r"location /static/ \{\s*alias " + re.escape(static_root) + "/;", SITE)
    media_root = env_example()["MEDIA_ROOT"]
    assert media_root not in re.sub(r"#.*", "", SITE)
    assert not re.search(r"^\s*(alias|root)\s+.*uploads", SITE, re.M)


@pytest.mark.skipif(
    not shutil.which("nginx") or not shutil.which("openssl"),
    reason="nginx or openssl not installed: the site is checked by parsing only",
)
def test_nginx_itself_accepts_the_site(tmp_path):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=duban.test",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = SITE.replace("/etc/duban/tls/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp_path};
    include {DEPLOY}/nginx/upstream.conf;
    include {tmp_path}/site.conf;
}}
""")
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


# --- gunicorn ------------------------------------------------------------------------------


@pytest.mark.slow
def test_gunicorn_accepts_its_config_and_loads_the_app(tmp_path):
    env = dict(os.environ, DUBAN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "deploy/gunicorn.conf.py",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
