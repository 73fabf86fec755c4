"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

The worker and beat are supervised like the systemd units and the compose file do it: one that
exits is started again after a pause (longer after each quick failure), so a broker outage that
ends a worker does not leave reminders waiting for someone to notice. The web server's exit
stops everything (it is the process the developer is looking at).
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

RESTART_PAUSE = 2.0  # seconds before restarting a dead worker or beat; doubles up to the max
RESTART_PAUSE_MAX = 60.0
STABLE_AFTER = 60.0  # a process that ran this long counts as healthy again (pause reset)


def _stop(signum, frame):
    raise KeyboardInterrupt


class Supervised:
    """One child process, restarted with a growing pause when it exits (if `restart`)."""

    def __init__(self, name, args, restart):
        self.name, self.args, self.restart = name, args, restart
        self.proc = None
        self.started = 0.0
        self.pause = RESTART_PAUSE
        self.restart_at = None
        self.restarts = 0

    def start(self):
        self.proc = subprocess.Popen(self.args)
        self.started = time.monotonic()
        self.restart_at = None

    def check(self, now, write):
        """Start the process again when it is due; False when it exited for good."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restarts += 1
                write(f"restarting {self.name} (restart {self.restarts})")
                self.start()
            return True
        if self.proc.poll() is None:
            return True
        if not self.restart:
            write(f"{self.name} exited with code {self.proc.returncode}; stopping.")
            return False
        if now - self.started >= STABLE_AFTER:
            self.pause = RESTART_PAUSE
        write(
            f"{self.name} exited with code {self.proc.returncode}; restarting in {self.pause:g} s."
        )
        self.restart_at = now + self.pause
        self.pause = min(self.pause * 2, RESTART_PAUSE_MAX)
        return True

    def terminate(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout):
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def commands(addr, python=None):
    python = python or sys.executable
    return {
        "web": [python, "manage.py", "runserver", addr, "--noreload"],
        "worker": [
            python,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            ",".join(settings.DUBAN_QUEUES),
            "--loglevel=INFO",
            "--concurrency=2",
        ],
        "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
    }


def supervise(children, write, should_stop=lambda: False, interval=1.0):
    """Keep the children running until one that is not restarted exits (or should_stop)."""
    for child in children:
        child.start()
    while not should_stop():
        now = time.monotonic()
        if not all(child.check(now, write) for child in children):
            return
        time.sleep(interval)


class Command(BaseCommand):
    help = "Start the development web server with a Celery worker and beat (embedded defaults)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        children = [
            Supervised(name, cmd, restart=name != "web") for name, cmd in commands(addr).items()
        ]
        # Ctrl-C (SIGINT) or a service manager's SIGTERM stops all three, also when this
        # command was started in the background with SIGINT ignored.
        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(self.style.SUCCESS(f"督办台 running at http://{addr}/ (Ctrl-C to stop)"))
        try:
            supervise(children, self.stderr.write)
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            for child in children:
                child.terminate()
            for child in children:
                child.wait(timeout=15)
