"""``manage.py parse_gazette FILE [FILE ...] [--json] [--out DIR]``.

Parses gazettes without touching the database, each file read exactly as the import reads
it (tracker/imports/formats: .txt, .docx, .doc/.wps, .xlsx/.xls, .pdf — tables, scans —,
.ofd, .png/.jpg): prints a summary of documents,
items and warnings, or with ``--json`` one object per file in the format that
``shared/tools/score_extraction.py`` reads. ``--out DIR`` writes
``DIR/<file name>.json`` per input instead of printing the JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gazette.pipeline import parse_text, summary, to_json
from tracker.imports.errors import ImportRejected
from tracker.imports.extract import extract


class Command(BaseCommand):
    help = "Parse gazettes (any format the import reads) into documents and items (no database)."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="gazette files")
        parser.add_argument("--json", action="store_true", help="print JSON, one object per file")
        parser.add_argument("--out", type=Path, help="write DIR/<file name>.json per input")

    def handle(self, *args, **options):
        files, out, as_json = options["files"], options["out"], options["json"]
        if out:
            out.mkdir(parents=True, exist_ok=True)
        failed = []
        for path in files:
            try:
                gazette = parse_text(extract(path.name, path.read_bytes()).text, path.name)
            except (OSError, ImportRejected) as exc:
                self.stderr.write(f"{path}: {exc}")
                failed.append(path)
                continue
            self._emit(gazette, path, as_json=as_json, out=out)
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} files could not be parsed")

    def _emit(self, gazette, path: Path, *, as_json: bool, out: Path | None) -> None:
        if out:
            target = out / f"{path.name}.json"
            target.write_text(_dumps(to_json(gazette)), encoding="utf-8")
            self.stdout.write(f"{path.name}: wrote {target}")
        elif as_json:
            self.stdout.write(_dumps(to_json(gazette)))
        if not as_json:
            self.stdout.write(summary(gazette))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
