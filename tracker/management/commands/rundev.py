"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Start the development web server with a Celery worker and beat (embedded defaults)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr, **options):
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "config", "worker",
                       "-Q", ",".join(settings.DUBAN_QUEUES), "--loglevel=INFO",
                       "--concurrency=2"],
            "beat": [python, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
        }
        # Ctrl-C (SIGINT) or a service manager's SIGTERM stops all three, also when this
        # command was started in the background with SIGINT ignored.
        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self.stdout.write(self.style.SUCCESS(f"督办台 running at http://{addr}/ (Ctrl-C to stop)"))
        try:
            while True:
                for name, proc in processes.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with code {proc.returncode}; stopping.")
                        return
                time.sleep(1)
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in processes.values():
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
