"""What every benchmark prints about where it ran, and how it starts Django on a throwaway setup."""

import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def database_version(connection):
    """'PostgreSQL 15.20 (Debian …) on x86_64…' or 'SQLite 3.40.1'."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            return cursor.fetchone()[0].split(",")[0]
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def setup_django(prefix, **environ):
    """Start Django with its files in a fresh temporary folder, never the user's var/."""
    os.environ["DUBAN_VAR_DIR"] = tempfile.mkdtemp(prefix=prefix)
    os.environ.update(environ)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
