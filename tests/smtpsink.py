"""A real SMTP server for tests (aiosmtpd) that can refuse (451) or stall the first messages."""

import asyncio
import logging
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line

# The reminders' port range (team rule: each engineer has their own ports).
PORTS = range(8430, 8440)


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            # As the server will: a port whose old connections linger in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


class Sink:
    """Accepts messages (each after `delay` seconds); the first `stall` DATA commands hang, the
    next `refuse` get a 451."""

    def __init__(self, refuse=0, stall=0, delay=0.0):
        self.refuse, self.stall, self.delay = refuse, stall, delay
        self.attempts = 0
        self.accepted = []  # (envelope recipients, email.message.EmailMessage)
        self.stalling = threading.Event()
        self.lock = threading.Lock()
        self.port = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            attempt = self.attempts
        if attempt <= self.stall:
            self.stalling.set()
            await asyncio.sleep(120)  # the client is killed (or times out) meanwhile
            return "451 4.3.0 Too slow"
        if attempt <= self.stall + self.refuse:
            return "451 4.3.0 Try again later"
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.accepted.append((list(envelope.rcpt_tos), message))
        return "250 2.0.0 OK"

    def to(self, address):
        return [message for rcpt, message in self.accepted if address in rcpt]

    @staticmethod
    def text(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message):
        return message.get_body(preferencelist=("html",)).get_content()


@contextmanager
def smtp_sink(refuse=0, stall=0, delay=0.0):
    sink = Sink(refuse=refuse, stall=stall, delay=delay)
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
