"""deploy/nginx/duban.conf in front of gunicorn with production settings, for real: nginx
terminates TLS and passes X-Forwarded-Proto (Django then sees HTTPS: secure cookies, HSTS, no
redirect loop), serves /static/ from STATIC_ROOT itself, never serves the uploads, and refuses
bodies over client_max_body_size. Skipped only when nginx or openssl is not installed (CI's
.ci/run installs nginx-light)."""

import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
from contextlib import ExitStack

import pytest

from tests.conftest import PASSWORD
from tests.processes import ROOT, process_env, running, wait_for
from tests.webclient import WebClient

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not shutil.which("nginx") or not shutil.which("openssl"),
        reason="nginx or openssl not installed (apt-get install nginx-light)",
    ),
]

DEPLOY = ROOT / "deploy"
GUNICORN_PORT, HTTP_PORT, HTTPS_PORT = 8454, 8455, 8456
HTTPS = f"https://localhost:{HTTPS_PORT}"


def write_nginx_config(tmp_path, static_root):
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
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "duban.conf").read_text()
    site = re.sub(r"^\s*listen \[::\].*$", "", site, flags=re.M)  # no IPv6 needed here
    site = site.replace("listen 80;", f"listen 127.0.0.1:{HTTP_PORT};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{HTTPS_PORT} ssl")
    site = site.replace("server_name duban.example.gov.cn;", "server_name localhost;")
    site = site.replace("/etc/duban/tls/", f"{tmp_path}/")
    site = site.replace("alias /srv/duban/static/;", f"alias {static_root}/;")
    upstream = (
        (DEPLOY / "nginx" / "upstream.conf")
        .read_text()
        .replace("127.0.0.1:8000", f"127.0.0.1:{GUNICORN_PORT}")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "upstream.conf").write_text(upstream)
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read pytest's tmp folders
    (tmp_path / "nginx.conf").write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp_path}/nginx-access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/upstream.conf;
    include {tmp_path}/site.conf;
}}
""")
    return tmp_path / "nginx.conf"


def production_env(tmp_path):
    env = process_env(
        DUBAN_ENV="production",
        SECRET_KEY="k3y-" + "x7Q" * 20,
        DEBUG="false",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DUBAN_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "uploads"),
        GUNICORN_BIND=f"127.0.0.1:{GUNICORN_PORT}",
        GUNICORN_WORKERS="2",
        # nginx passes `Host $host`, which has no port; on 443 the browser's Referer has none
        # either, but this test listens on another port, so the CSRF check must be told.
        CSRF_TRUSTED_ORIGINS=HTTPS,
    )
    env.pop("DUBAN_FAKE_NOW", None)
    env.pop("EMAIL_BACKEND", None)
    return env


def plain_http(path):
    """(status, Location, Server, body) of a plain-HTTP GET."""
    connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    connection.request("GET", path, headers={"Host": "localhost"})
    response = connection.getresponse()
    body = response.read().decode(errors="replace")
    return response.status, response.getheader("Location"), response.getheader("Server"), body


def upload_status(context, size):
    """POST a body of `size` bytes to /import/ over HTTPS; the status nginx or Django gives."""
    connection = http.client.HTTPSConnection("localhost", HTTPS_PORT, context=context, timeout=60)
    connection.request(
        "POST", "/import/", body=b"x" * size, headers={"Content-Type": "application/octet-stream"}
    )
    return connection.getresponse().status


class Site:
    """nginx (the shipped site) in front of gunicorn with production settings."""

    def __init__(self, tmp_path, context):
        self.tmp_path = tmp_path
        self.context = context

    def client(self, source_address=None):
        return WebClient(HTTPS, ssl_context=self.context, source_address=source_address)

    def log(self):
        return "".join(p.read_text(errors="replace")[-2000:] for p in self.tmp_path.glob("*.log"))


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup):
    """Started once for the module; each test brings its own users (the database is emptied
    between tests, the servers keep running)."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    env = production_env(tmp_path)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr
    (tmp_path / "uploads" / "evidence").mkdir(parents=True)
    (tmp_path / "uploads" / "evidence" / "secret.txt").write_text("机密佐证材料")
    config = write_nginx_config(tmp_path, tmp_path / "static")
    context = ssl.create_default_context(cafile=str(tmp_path / "fullchain.pem"))
    context.check_hostname = False
    site = Site(tmp_path, context)

    with ExitStack() as stack:
        stack.enter_context(
            running(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
                tmp_path / "gunicorn.log",
                env,
            )
        )
        stack.enter_context(running(["nginx", "-c", str(config)], tmp_path / "nginx.log", env))
        client = site.client()

        def up():
            try:
                return client.get("/accounts/login/").status == 200
            except OSError:
                return False

        assert wait_for(up, timeout=60, interval=0.5), site.log()
        yield site


def test_nginx_site_in_front_of_gunicorn_with_production_settings(site, users):
    client = site.client()
    context = site.context

    # Plain HTTP is redirected to HTTPS by nginx.
    status, location = plain_http("/items/")[:2]
    assert status == 301 and location == "https://localhost/items/"

    # Over HTTPS Django knows the request is secure: it logs in (secure cookies, CSRF)
    # without redirecting, and sends HSTS and the CSP.
    page = client.get("/accounts/login/")
    assert "Strict-Transport-Security" in page.headers
    assert "Content-Security-Policy" in page.headers
    home = client.login("staff", "test-pass-2025")
    assert home.status == 200 and home.url == f"{HTTPS}/"
    session = next(c for c in client.jar if c.name == "sessionid")
    assert session.secure

    # Static files come from STATIC_ROOT through nginx (its cache header, not WhiteNoise's).
    css = client.get("/static/duban/duban.css")
    assert css.status == 200
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plotly = client.get("/static/dashboards/vendor/plotly.min.js")
    assert plotly.status == 200 and len(plotly.body) > 1_000_000

    # Uploaded evidence is never served by URL.
    for path in (
        "/uploads/evidence/secret.txt",
        "/media/evidence/secret.txt",
        "/evidence/secret.txt",
        "/static/../uploads/evidence/secret.txt",
    ):
        response = client.get(path)
        assert response.status in {302, 404}, path
        assert "机密佐证材料" not in response.text

    # /healthz through nginx.
    assert client.get("/healthz").headers["Content-Type"] == "application/json"

    # Bodies over client_max_body_size (21m) stop at nginx; a 20 MiB one reaches Django.
    assert upload_status(context, 22 * 1024 * 1024) == 413
    assert upload_status(context, 20 * 1024 * 1024) != 413


def wrong_password(client, username="staff"):
    page = client.get("/accounts/login/")
    return client.submit(
        page, "username", changes={"username": username, "password": "wrong-password"}
    )


def test_finding_04_nginx_lockout_of_one_client_address_spares_another(site, users):
    """Two clients on different addresses (127.0.0.2, 127.0.0.3) reach gunicorn through nginx,
    so gunicorn sees 127.0.0.1 for both: Django must count failures per client address."""
    from axes.models import AccessAttempt

    attacker = site.client(source_address="127.0.0.2")
    statuses = [wrong_password(attacker).status for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429], site.log()
    page = attacker.get("/accounts/login/")
    locked = attacker.submit(page, "username", changes={"username": "staff", "password": PASSWORD})
    assert locked.status == 429
    # nginx replaces an X-Real-IP the client sends, so it cannot pose as another address.
    attacker.opener.addheaders = [("X-Real-IP", "127.0.0.3")]
    page = attacker.get("/accounts/login/")
    forged = attacker.submit(page, "username", changes={"username": "staff", "password": PASSWORD})
    assert forged.status == 429

    colleague = site.client(source_address="127.0.0.3")
    home = colleague.login("staff", PASSWORD)
    assert home.status == 200 and home.url == f"{HTTPS}/"
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.2"}


def test_finding_15_nginx_lockout_page_is_chinese(site, users):
    client = site.client(source_address="127.0.0.4")
    for _ in range(5):
        response = wrong_password(client)
    assert response.status == 429
    assert "登录已暂停" in response.text and "分钟后" in response.text


def test_finding_16_nginx_does_not_announce_its_version(site):
    version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    number = version.rsplit("/", 1)[-1]  # "nginx version: nginx/1.22.1" -> "1.22.1"
    assert re.fullmatch(r"[0-9.]+", number), version
    client = site.client()
    responses = [client.get("/accounts/login/"), client.get("/static/no-such-file.css")]
    status, _, server, body = plain_http("/items/")
    assert status == 301
    assert server == "nginx" and number not in body
    for response in responses:
        assert response.headers["Server"] == "nginx"
        assert number not in response.text
