"""``manage.py import_file FILE... --user USERNAME [--json] [--confirm] [--create-units]
[--default-due year-end|period|YYYY-MM-DD]``.

Batch import through the very path the web preview takes: each file becomes an ImportJob,
parsed into its preview (documents, items, unknown names, items without a date, warnings),
printed as text or JSON. With ``--confirm`` the preview is confirmed with the same Decisions
the preview page builds for these choices: every item included as parsed, unknown names
created (``--create-units``: collective names as unit groups) or kept as written, items naming
no owner given the document's addressees, and items with no written date given the default
due date (``year-end`` of the document's year, the end of the ``period`` it states — its year
end when it states none — or a date).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.imports import confirm, decisions, jobs
from tracker.imports.errors import ImportRejected
from tracker.imports.preview import has_written_date
from tracker.models import ImportJob, User


def changes_for(preview: dict, *, create_units: bool, default_due: str) -> dict:
    """The changes the preview page saves when the office makes only these two choices."""
    return {
        "create_units": create_units,
        "documents": {
            str(d): {"default_owners": True, "default_due": default_due}
            for d in range(len(preview["documents"]))
        },
    }


def figures(preview: dict, decisions: confirm.Decisions) -> dict:
    """The preview's figures; `items_without_date` counts what the default due date leaves."""
    counts = preview["counts"]
    undated = 0
    for d, doc in enumerate(preview["documents"]):
        default = confirm.default_due(doc, decisions.documents.get(str(d)))
        if default is None:
            undated += sum(1 for item in doc["items"] if not has_written_date(item))
    return {
        "documents": counts["documents"],
        "items": counts["items"],
        "unknown_names": counts["unknown_units"],
        "items_without_written_date": counts.get("items_without_date", 0),
        "items_without_date": undated,
        "warnings": counts["warnings"],
    }


def _due_choice(value: str) -> str:
    if value in ("year-end", "period", "none"):
        return value.replace("-", "_")
    try:
        date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--default-due: year-end, period, none or YYYY-MM-DD, not {value!r}"
        ) from exc
    return value


class Command(BaseCommand):
    help = "Import files as the web preview would; print its figures, optionally confirm."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--user", required=True, help="the importing user's username")
        parser.add_argument("--json", action="store_true", help="one JSON object per file")
        parser.add_argument("--confirm", action="store_true", help="confirm the import")
        parser.add_argument(
            "--create-units",
            action="store_true",
            help="create every unknown name (collective names as unit groups)",
        )
        parser.add_argument(
            "--default-due",
            default="year-end",
            help="year-end (default), period, none or YYYY-MM-DD",
        )

    def handle(self, *args, **options):
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {options['user']!r}") from exc
        due = _due_choice(options["default_due"])
        failed = 0
        for path in options["files"]:
            out = self.one_file(path, user, due, options)
            failed += bool(out.get("error"))
            if options["json"]:
                self.stdout.write(json.dumps(out, ensure_ascii=False))
            else:
                self.stdout.write(self.text(out))
        if failed:
            raise CommandError(f"{failed} file(s) failed")

    def one_file(self, path: Path, user, due: str, options) -> dict:
        out: dict = {"file": str(path)}
        try:
            job = jobs.run_import_job(jobs.create_job(user, path.name, path.read_bytes()).pk)
        except (OSError, ImportRejected) as exc:
            return {**out, "error": str(exc)}
        if job is None:  # claimed by another worker meanwhile
            return {**out, "error": "该导入任务已由其他进程处理。"}
        out["job"] = job.pk
        if job.status != ImportJob.Status.READY:
            return {**out, "error": job.error}
        # Saved on the job as the preview page saves them, and confirmed from there: the same
        # decisions, whether the office clicks or this command runs.
        changes = changes_for(job.preview, create_units=options["create_units"], default_due=due)
        decisions.save_changes(job.pk, job.decisions_version, changes)
        job.refresh_from_db()
        chosen = decisions.load(job)
        out["figures"] = figures(job.preview, chosen)
        if options["confirm"]:
            try:
                result = confirm.confirm_import(job, user, chosen)
            except ImportRejected as exc:
                return {**out, "error": str(exc)}
            out["result"] = {k: v for k, v in result.items() if k not in ("items", "documents")}
        return out

    @staticmethod
    def text(out: dict) -> str:
        if out.get("error"):
            return f"{out['file']}: {out['error']}"
        f = out["figures"]
        line = (
            f"{out['file']}: {f['documents']} documents, {f['items']} items, "
            f"{f['unknown_names']} unknown names, {f['items_without_written_date']} items "
            f"without a written date ({f['items_without_date']} left without a date), "
            f"{f['warnings']} items with warnings"
        )
        if "result" in out:
            r = out["result"]
            line += (
                f"\n  confirmed: {r['documents_created']} documents created, "
                f"{r['documents_updated']} updated, {r['items_created']} items created, "
                f"{r['items_updated']} updated, {r['units_created']} units and "
                f"{r['groups_created']} unit groups created"
            )
        return line
