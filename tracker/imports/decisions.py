"""The office's choices on a preview, saved on the ImportJob as it works.

Every change on the preview page (and every bulk action) POSTs a small set of changes that
`save_changes` merges into `ImportJob.decisions` under optimistic concurrency: the change
names the `decisions_version` it was made on, and a change made on an older version is
refused with the current state (`Stale`), which the page shows before it tries again. So a
reload or a second person at another desk loses nothing, and confirming applies exactly what
was saved (`load`). The `import_file` command saves its choices the same way.

Stored form (JSON): {"items": {"<doc>-<item>": {"include": bool, "text": str, "lead": [names],
"co": [names], "responsible": [names], "due": "YYYY-MM-DD" | null, "merge": {field: "keep" |
"new"}}}, "units": {folded name: choice}, "create_units": bool, "documents": {"<doc>":
{"default_owners": bool, "default_due": str}}, "links": [[item key, person name]]}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tracker.lib import plausible
from tracker.models import ImportJob

OWNER_KEYS = ("lead", "co", "responsible")
MERGE_FIELDS = ("text", "owners", "due", "withdrawn", "include")
MAX_TEXT = 5000
MAX_NAMES = 50


@dataclass
class Decisions:
    """What the user changed on the preview; anything missing means "as parsed".

    items: "<document index>-<item index>" → {"include": bool, "text": str,
           "lead": [names], "co": [names], "responsible": [names], "due": date | None,
           "merge": {"text" | "owners" | "due" | "include": "keep" | "new"}}; "merge" settles
           each difference between an item already tracked and the new version (see
           tracker.imports.merge: without a choice, a field the office changed by hand keeps
           the office's value, any other takes the new one).
    units: folded unit name → "" (keep the name as written), "new" (create a Unit), "group"
           (create a UnitGroup), a Unit id or "g<UnitGroup id>".
    create_units: every unknown name without a choice of its own is created: a collective
           name (各镇(街道)) as a unit group, any other as a unit.
    documents: "<document index>" → {"default_owners": bool, "default_due": str}: items
           naming no owner get the document's addressees (on unless turned off); items with
           no written date get the default due date, "year_end" (the default), "period" (the
           end of the period the document states), "none" or an ISO date typed by the office.
    """

    items: dict[str, dict] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    create_units: bool = False
    documents: dict[str, dict] = field(default_factory=dict)
    # (item key, person name): the office confirmed that the account of that display name is
    # this person even though the account's unit is none of the item's units.
    links: set[tuple[str, str]] = field(default_factory=set)

    def unit_choice(self, unknown: dict) -> str:
        choice = self.units.get(unknown["key"], "")
        if not choice and self.create_units:
            return "group" if unknown.get("collective") else "new"
        return choice


def default_due(entry: dict, choice: dict | None) -> date | None:
    """The document's default due date under the office's choice (year end unless told)."""
    options = entry.get("due_options") or {}
    value = (choice or {}).get("default_due") or "year_end"
    if value == "none":
        return None
    if value in ("year_end", "period"):
        chosen = options.get(value) or options.get("year_end")
        return date.fromisoformat(chosen) if chosen else None
    return date.fromisoformat(value)


def item_key(doc_index: int, item_index: int) -> str:
    return f"{doc_index}-{item_index}"


def included(entry: dict, choice: dict) -> bool:
    """Imported unless the office left it out; an item left out at the last import of this
    document (`was_dropped`) is proposed left out again."""
    if "include" in choice:
        return bool(choice["include"])
    return not entry.get("was_dropped")


# --- stored form ------------------------------------------------------------------------


def to_json(decisions: Decisions) -> dict:
    items = {}
    for key, choice in decisions.items.items():
        stored = dict(choice)
        if isinstance(stored.get("due"), date):
            stored["due"] = stored["due"].isoformat()
        items[key] = stored
    return {
        "items": items,
        "units": dict(decisions.units),
        "create_units": decisions.create_units,
        "documents": {k: dict(v) for k, v in decisions.documents.items()},
        "links": sorted([list(link) for link in decisions.links]),
    }


def from_json(data: dict) -> Decisions:
    items = {}
    for key, stored in (data.get("items") or {}).items():
        choice = dict(stored)
        if isinstance(choice.get("due"), str):
            choice["due"] = date.fromisoformat(choice["due"])
        items[key] = choice
    return Decisions(
        items=items,
        units=dict(data.get("units") or {}),
        create_units=bool(data.get("create_units")),
        documents={k: dict(v) for k, v in (data.get("documents") or {}).items()},
        links={(key, name) for key, name in data.get("links") or []},
    )


def load(job: ImportJob) -> Decisions:
    return from_json(job.decisions or {})


# --- changes ------------------------------------------------------------------------------


class Invalid(ValueError):
    """A change that cannot be stored; its message is shown to the office as is."""


class Stale(Exception):
    """The change was made on an older version of the decisions: here is the current one."""

    def __init__(self, version: int, decisions: dict):
        super().__init__(version)
        self.version, self.decisions = version, decisions


def _names(value) -> list[str]:
    if (
        not isinstance(value, list)
        or len(value) > MAX_NAMES
        or not all(isinstance(v, str) for v in value)
    ):
        raise Invalid(_("单位名称格式有误。"))
    out: list[str] = []
    for name in value:
        name = name.strip()[:200]
        if name and name not in out:
            out.append(name)
    return out


def _due(value) -> str | None:
    if value is None or value == "":
        return None
    try:
        day = date.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(_("完成时限“%(value)s”不是有效日期。") % {"value": value}) from exc
    if not plausible.is_plausible(day):
        raise Invalid(plausible.out_of_range_message(day))
    return day.isoformat()


def _item_change(change: dict) -> dict:
    if not isinstance(change, dict):
        raise Invalid(_("修改内容格式有误。"))
    clean: dict = {}
    for name, value in change.items():
        if name == "include":
            clean[name] = bool(value)
        elif name == "text":
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise Invalid(_("任务内容格式有误。"))
            clean[name] = value
        elif name in OWNER_KEYS:
            clean[name] = _names(value)
        elif name == "due":
            clean[name] = _due(value)
        elif name == "merge":
            if not isinstance(value, dict) or any(
                f not in MERGE_FIELDS or v not in ("keep", "new") for f, v in value.items()
            ):
                raise Invalid(_("修改内容格式有误。"))
            clean[name] = dict(value)
        else:
            raise Invalid(_("修改内容格式有误。"))
    return clean


def _document_change(change: dict) -> dict:
    clean: dict = {}
    for name, value in (change or {}).items():
        if name == "default_owners":
            clean[name] = bool(value)
        elif name == "default_due":
            # A typed date is checked on confirm (validate_decisions), next to its document.
            if not isinstance(value, str) or len(value) > 20:
                raise Invalid(_("修改内容格式有误。"))
            clean[name] = value.strip() or "none"
        else:
            raise Invalid(_("修改内容格式有误。"))
    return clean


def apply_changes(preview: dict, stored: dict, changes: dict) -> dict:
    """`stored` decisions with `changes` merged in (a new dict); raises Invalid.

    changes: {"items": {key: {field: value}}, "unset": [[key, field]], "units": {key: value},
    "create_units": bool, "documents": {"<doc>": {field: value}}, "links": {"key|name": bool}}.
    """
    if not isinstance(changes, dict):
        raise Invalid(_("修改内容格式有误。"))
    keys = {
        item_key(d, i)
        for d, doc in enumerate(preview["documents"])
        for i, _item in enumerate(doc["items"])
    }
    result: dict[str, Any] = {
        "items": {k: dict(v) for k, v in (stored.get("items") or {}).items()},
        "units": dict(stored.get("units") or {}),
        "create_units": bool(stored.get("create_units")),
        "documents": {k: dict(v) for k, v in (stored.get("documents") or {}).items()},
        "links": [list(x) for x in stored.get("links") or []],
    }
    for key, change in (changes.get("items") or {}).items():
        if key not in keys:
            raise Invalid(_("事项不存在，请刷新页面。"))
        clean = _item_change(change)
        choice = result["items"].setdefault(key, {})
        if "merge" in clean:
            choice["merge"] = {**choice.get("merge", {}), **clean.pop("merge")}
        choice.update(clean)
    for pair in changes.get("unset") or []:
        if not isinstance(pair, list) or len(pair) != 2 or pair[0] not in keys:
            raise Invalid(_("修改内容格式有误。"))
        result["items"].get(pair[0], {}).pop(pair[1], None)
    unknown = {u["key"] for u in preview.get("unknown_units", [])}
    for key, value in (changes.get("units") or {}).items():
        if key not in unknown or not isinstance(value, str) or len(value) > 20:
            raise Invalid(_("所选单位不存在，请重新选择。"))
        result["units"][key] = value
    if "create_units" in changes:
        result["create_units"] = bool(changes["create_units"])
    for d, change in (changes.get("documents") or {}).items():
        if not str(d).isdigit() or int(d) >= len(preview["documents"]):
            raise Invalid(_("修改内容格式有误。"))
        result["documents"].setdefault(str(d), {}).update(_document_change(change))
    links = {tuple(x) for x in result["links"]}
    for joined, on in (changes.get("links") or {}).items():
        key, _sep, name = str(joined).partition("|")
        if key not in keys:
            raise Invalid(_("修改内容格式有误。"))
        (links.add if on else links.discard)((key, name))
    result["links"] = sorted([list(x) for x in links])
    return result


def save_changes(job_pk: int, version: int, changes: dict) -> tuple[int, dict]:
    """Store the changes made on `version`; the new version and decisions. Raises Stale when
    someone saved in between (nothing stored), Invalid for a change that cannot be stored."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update()
            .only("pk", "status", "preview", "decisions", "decisions_version")
            .get(pk=job_pk)
        )
        if job.status != ImportJob.Status.READY:
            raise Invalid(_("这次导入已经确认过或尚未解析完成。"))
        if version != job.decisions_version:
            raise Stale(job.decisions_version, job.decisions)
        decisions = apply_changes(job.preview, job.decisions or {}, changes)
        updated = ImportJob.objects.filter(pk=job_pk, decisions_version=version).update(
            decisions=decisions, decisions_version=version + 1
        )
        if not updated:  # SQLite has no row lock: the version check is the guard
            fresh = ImportJob.objects.only("decisions", "decisions_version").get(pk=job_pk)
            raise Stale(fresh.decisions_version, fresh.decisions)
    return version + 1, decisions
