"""Content Security Policy: every page carries it, and no template breaks it."""

import re
from pathlib import Path

import pytest

from config.csp import build_policy

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(header):
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_pages_carry_a_policy_that_forbids_inline_and_foreign_scripts(client):
    response = client.get("/accounts/login/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_error_and_json_responses_carry_the_policy_too(client):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/healthz")


def test_policy_is_built_in_the_order_given():
    assert build_policy({"default-src": ["'self'"], "img-src": ["'self'", "data:"]}) == (
        "default-src 'self'; img-src 'self' data:"
    )


def template_files():
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def test_templates_exist_to_check():
    assert template_files()


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_event_handler(path):
    """CSP blocks them in the browser; JS belongs in static files, data in json_script."""
    text = path.read_text(encoding="utf-8")
    for attributes, body in SCRIPT_TAG.findall(text):
        is_data = re.search(r"type=[\"']application/(ld\+)?json[\"']", attributes)
        assert "src=" in attributes or is_data, f"inline <script> in {path.name}: {body[:80]}"
        if "src=" in attributes:
            assert not re.search(r"src=[\"'](https?:)?//", attributes), f"CDN script in {path}"
    assert not EVENT_HANDLER.search(text), f"inline event handler (onclick=…) in {path.name}"
