"""deploy/backup.sh and restore.sh: a backup restored into a fresh database holds the same rows
in every table and the same evidence files. PostgreSQL only (the scripts wrap pg_dump)."""

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings

from tests.processes import database_url
from tracker.models import Evidence, ProgressReport

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="backup.sh wraps pg_dump: runs only when DATABASE_URL is PostgreSQL",
    ),
    pytest.mark.skipif(
        not shutil.which("pg_dump") or not shutil.which("pg_restore"),
        reason="pg_dump / pg_restore not installed",
    ),
]


def table_counts(url):
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def file_digests(folder):
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in Path(folder).rglob("*")
        if path.is_file()
    }


def run_script(name, *args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_ROOT"}}
    full_env.update({"DUBAN_ENV_FILE": "/nonexistent", **env})
    return subprocess.run(
        [str(ROOT / "deploy" / name), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fresh_database():
    """An empty database next to the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url().rsplit("/", 1)[0] + "/" + name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def uploads(tmp_path):
    folder = tmp_path / "uploads"
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=str(folder)):
        yield folder


def add_report_with_evidence(item, author, n):
    report = ProgressReport.objects.create(
        item=item, author=author, percent=10 * n, narrative=f"第{n}次进展：已完成前期手续。"
    )
    content = f"佐证材料 {n} ".encode() * 1000
    digest = hashlib.sha256(content).hexdigest()
    evidence = Evidence(
        report=report,
        item=item,
        original_name=f"照片{n}.jpg",
        content_type="image/jpeg",
        size=len(content),
        sha256=digest,
        uploaded_by=author,
    )
    evidence.file.save(f"照片{n}.jpg", ContentFile(content), save=True)
    return evidence


def test_a_backup_restored_into_a_fresh_database_has_every_row_and_file(
    tmp_path, users, units, make_item, uploads, fresh_database
):
    for n in range(1, 4):
        item = make_item(f"任务{n}：新建公共充电桩。", lead=units["fgj"], co=[units["jyj"]])
        add_report_with_evidence(item, users["staff"], n)
    source_counts = table_counts(database_url())
    assert source_counts["tracker_item"] == 3 and source_counts["tracker_evidence"] == 3
    assert len(file_digests(uploads)) == 3

    backup = run_script(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=database_url(), MEDIA_ROOT=str(uploads)
    )
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "uploads.tar.gz",
    ]

    restored_uploads = tmp_path / "restored-uploads"
    restore = run_script(
        "restore.sh", str(folder), DATABASE_URL=fresh_database, MEDIA_ROOT=str(restored_uploads)
    )
    assert restore.returncode == 0, restore.stderr

    assert table_counts(fresh_database) == source_counts
    assert file_digests(restored_uploads) == file_digests(uploads)
    with psycopg.connect(fresh_database) as conn:
        names = {row[0] for row in conn.execute("SELECT file FROM tracker_evidence")}
    assert names == set(file_digests(restored_uploads))


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, users, uploads):
    backup = run_script(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=database_url(), MEDIA_ROOT=str(uploads)
    )
    assert backup.returncode == 0, backup.stderr
    folder = backup.stdout.strip().splitlines()[-1]
    before = table_counts(database_url())
    restore = run_script(
        "restore.sh", folder, DATABASE_URL=database_url(), MEDIA_ROOT=str(tmp_path / "elsewhere")
    )
    assert restore.returncode == 3
    assert "not empty" in restore.stderr
    assert table_counts(database_url()) == before


def test_restore_refuses_a_damaged_backup(tmp_path, uploads, fresh_database):
    backup = run_script(
        "backup.sh", str(tmp_path / "backups"), DATABASE_URL=database_url(), MEDIA_ROOT=str(uploads)
    )
    folder = Path(backup.stdout.strip().splitlines()[-1])
    with open(folder / "database.dump", "ab") as dump:
        dump.write(b"garbage")
    restore = run_script(
        "restore.sh",
        str(folder),
        DATABASE_URL=fresh_database,
        MEDIA_ROOT=str(tmp_path / "elsewhere"),
    )
    assert restore.returncode != 0
    assert table_counts(fresh_database) == {}
    assert not (tmp_path / "elsewhere").exists()


def test_backup_reads_database_url_and_media_root_from_the_env_file(tmp_path, uploads):
    (uploads / "evidence").mkdir(parents=True)
    (uploads / "evidence" / "a.txt").write_text("佐证")
    env_file = tmp_path / "duban.env"
    env_file.write_text(
        f"DEFAULT_FROM_EMAIL=督办台 <duban@example.gov.cn>\n"
        f"DATABASE_URL={database_url()}\nMEDIA_ROOT={uploads}\n"
    )
    backup = run_script("backup.sh", str(tmp_path / "backups"), DUBAN_ENV_FILE=str(env_file))
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    listing = subprocess.run(
        ["tar", "-tzf", str(folder / "uploads.tar.gz")], capture_output=True, text=True, check=True
    ).stdout
    assert "./evidence/a.txt" in listing.splitlines()
