"""A real SMTP server for tests (aiosmtpd) that can refuse (4xx or 5xx), stall, delay and drop.

Faults apply to the first DATA commands in this order: `stall` hang, `refuse` get `code`
(451 by default), `drop` lose the connection before any answer (nothing stored), and
`drop_after_store` store the message and then lose the connection before the 250 answer (the
"sent but not recorded" case). `reject` maps addresses to a permanent RCPT answer (550 …).
"""

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
    """Accepts messages (each after `delay` seconds), after the faults listed above."""

    def __init__(
        self,
        refuse=0,
        stall=0,
        delay=0.0,
        code="451 4.3.0 Try again later",
        drop=0,
        drop_after_store=0,
        reject=None,
    ):
        self.refuse, self.stall, self.delay, self.code = refuse, stall, delay, code
        self.drop, self.drop_after_store = drop, drop_after_store
        self.reject = dict(reject or {})
        self.attempts = 0
        self.dropped = 0
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
            return self.code
        if attempt <= self.stall + self.refuse + self.drop:
            return self._hang_up(server)
        await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.accepted.append((list(envelope.rcpt_tos), message))
        if attempt <= self.stall + self.refuse + self.drop + self.drop_after_store:
            return self._hang_up(server)
        return "250 2.0.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def _hang_up(self, server):
        with self.lock:
            self.dropped += 1
        server.transport.abort()  # the client sees the line drop, with no answer
        return "421 4.4.2 Connection dropped"

    def message_ids(self):
        return [message["Message-ID"] for _rcpt, message in self.accepted]

    def to(self, address):
        return [message for rcpt, message in self.accepted if address in rcpt]

    @staticmethod
    def text(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message):
        return message.get_body(preferencelist=("html",)).get_content()


@contextmanager
def smtp_sink(refuse=0, stall=0, delay=0.0, **faults):
    sink = Sink(refuse=refuse, stall=stall, delay=delay, **faults)
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
