"""The channel implementations: how a message leaves through one UnitChannel."""

import json
import urllib.error
import urllib.request

from django.core.mail import EmailMessage

from tracker.models import UnitChannel

TIMEOUT = 10


class ChannelError(Exception):
    """The channel refused or could not take the message (kept as the delivery's error)."""


class Channel:
    """Send one message; raise ChannelError (or an OSError) when it did not go."""

    def __init__(self, config):
        self.config = config

    def send(self, subject, text, markdown):
        raise NotImplementedError


class EmailChannel(Channel):
    def send(self, subject, text, markdown):
        EmailMessage(subject, text, to=[self.config.address]).send()


class WebhookChannel(Channel):
    """A group robot: JSON POST of text or markdown; the robot answers errcode 0 when taken."""

    def payload(self, subject, text, markdown):
        if self.config.format == UnitChannel.Format.TEXT:
            return {"msgtype": "text", "text": {"content": text}}
        if self.config.kind == UnitChannel.Kind.DINGTALK:
            return {"msgtype": "markdown", "markdown": {"title": subject, "text": markdown}}
        return {"msgtype": "markdown", "markdown": {"content": markdown}}

    def send(self, subject, text, markdown):
        body = json.dumps(self.payload(subject, text, markdown), ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.config.address,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                answer = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"HTTP {exc.code}") from exc
        try:
            reply = json.loads(answer or b"{}")
        except ValueError:
            reply = {}
        if isinstance(reply, dict) and reply.get("errcode", 0) not in (0, "0"):
            raise ChannelError(f"errcode {reply.get('errcode')}: {reply.get('errmsg', '')}")


def channel_for(config):
    if config.kind == UnitChannel.Kind.EMAIL:
        return EmailChannel(config)
    return WebhookChannel(config)
