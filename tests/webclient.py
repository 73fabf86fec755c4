"""A small browser-like HTTP client over urllib: cookies, CSRF, forms filled as rendered.

Used by the end-to-end test and bench/load_test.py against a real gunicorn. No JavaScript:
forms are submitted as a browser would submit them untouched (checked boxes, selected options,
textareas), with the caller's changes on top.
"""

import functools
import http.client
import http.cookiejar
import json
import mimetypes
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Response:
    status: int
    url: str
    headers: dict
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)

    def forms(self):
        parser = FormParser()
        parser.feed(self.text)
        return parser.forms


@dataclass
class Form:
    action: str
    method: str
    attrs: dict
    fields: list = field(default_factory=list)  # [(name, value)] in document order
    file_inputs: list = field(default_factory=list)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            self.forms.append(
                Form(attrs.get("action", ""), attrs.get("method", "get").lower(), attrs)
            )
            return
        if not self.forms or "disabled" in attrs:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind == "file":
                form.file_inputs.append(name)
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            form.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["selected"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            # Browsers drop one newline right after <textarea>.
            self.forms[-1].fields.append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select = self._select
            value = select["selected"] if select["selected"] is not None else select["first"]
            if value is not None:
                self.forms[-1].fields.append((select["name"], value))
            self._select = None


class SourceAddressHTTPSHandler(urllib.request.HTTPSHandler):
    """HTTPS from a chosen local address (e.g. 127.0.0.2), so a server on the loopback sees
    several distinct clients."""

    def __init__(self, context, source_address):
        super().__init__(context=context)
        self.source_address = source_address

    def https_open(self, req):
        connection = functools.partial(
            http.client.HTTPSConnection, source_address=(self.source_address, 0)
        )
        return self.do_open(connection, req, context=self._context)


class WebClient:
    def __init__(self, base_url, timeout=60, ssl_context=None, source_address=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)]
        if source_address is not None:
            handlers.append(SourceAddressHTTPSHandler(ssl_context, source_address))
        elif ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self.opener = urllib.request.build_opener(*handlers)

    def url(self, path):
        return path if path.startswith("http") else self.base_url + path

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, method, path, data=None, headers=None):
        headers = {"Accept-Language": "zh-CN", **(headers or {})}
        if method == "POST":
            headers.setdefault("Referer", self.url(path))
            token = self.cookie("csrftoken")
            if token:
                headers.setdefault("X-CSRFToken", token)
        request = urllib.request.Request(self.url(path), data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout) as raw:
                return Response(raw.status, raw.geturl(), dict(raw.headers), raw.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.geturl(), dict(error.headers), error.read())

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields, files=None):
        """POST fields ([(name, value)] or dict); files: {name: (filename, bytes)}."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if files:
            body, content_type = multipart(pairs, files)
        else:
            body = urllib.parse.urlencode(pairs).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, data=body, headers={"Content-Type": content_type})

    def submit(self, page, having, changes=None, files=None):
        """Submit the form of `page` that has a field or id `having`, as rendered, with
        `changes` ({name: value}) applied and `files` attached."""
        form = next(
            (
                f
                for f in page.forms()
                if f.attrs.get("id") == having
                or having in dict(f.fields)
                or having in f.file_inputs
            ),
            None,
        )
        if form is None:
            raise AssertionError(f"no form with {having!r} on {page.url}")
        changes = dict(changes or {})
        fields = [(name, changes.pop(name, value)) for name, value in form.fields]
        fields += list(changes.items())
        action = urllib.parse.urljoin(page.url, form.action or page.url)
        return self.post(action, fields, files)

    def login(self, username, password):
        page = self.get("/accounts/login/")
        response = self.submit(
            page, "username", changes={"username": username, "password": password}
        )
        if "/accounts/login/" in response.url:
            raise AssertionError(f"login as {username} failed: HTTP {response.status}")
        return response


def multipart(pairs, files):
    boundary = uuid.uuid4().hex
    lines = []
    for name, value in pairs:
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            str(value).encode(),
        ]
    for name, (filename, content) in files.items():
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        quoted = urllib.parse.quote(filename)
        lines += [
            f"--{boundary}".encode(),
            (
                f'Content-Disposition: form-data; name="{name}"; filename="{quoted}"; '
                f"filename*=UTF-8''{quoted}"
            ).encode(),
            f"Content-Type: {kind}".encode(),
            b"",
            content,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
