"""Confirming a preview: the office's decisions applied and tracked items written."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from gazette.owners import split_names
from gazette.text import fold_name
from tracker.imports import merge
from tracker.imports.checks import ImportRejected
from tracker.imports.decisions import Decisions, default_due, included, item_key
from tracker.imports.planning import (
    _iso,
    _lines,
    _users_by_display_name,
    planned_deadlines,
)
from tracker.imports.preview import _unique, existing_document
from tracker.imports.units import UnitResolver, guess_group_kind, guess_unit_kind
from tracker.lib import plausible
from tracker.lib.numbers import parse_id
from tracker.models import (
    Comment,
    Deadline,
    ImportJob,
    Item,
    ItemOwner,
    ItemPerson,
    SourceDocument,
    SourceFile,
    Tag,
    Unit,
    UnitAlias,
    UnitGroup,
)

logger = logging.getLogger(__name__)


# --- 5. confirming ------------------------------------------------------------------------


def parse_names(text: str) -> list[str]:
    """A list of unit names as typed into the preview (、，; separated, parentheses kept)."""
    return _unique(split_names(text.replace("\n", "、"))) if text else []


def validate_decisions(preview: dict, decisions: Decisions) -> dict[str, str]:
    """Problems keyed by item key (or "units" / "" for the whole import)."""
    errors: dict[str, str] = {}
    count = 0
    for d, doc in enumerate(preview["documents"]):
        for i, item in enumerate(doc["items"]):
            choice = decisions.items.get(item_key(d, i), {})
            if not included(item, choice):
                continue
            count += 1
            if "text" in choice and not choice["text"].strip():
                errors[item_key(d, i)] = _("任务内容不能为空。")
            elif choice.get("due") and not plausible.is_plausible(choice["due"]):
                errors[item_key(d, i)] = plausible.out_of_range_message(choice["due"])
    for d, doc in enumerate(preview["documents"]):
        value = decisions.documents.get(str(d), {}).get("default_due")
        try:
            due = default_due(doc, decisions.documents.get(str(d)))
        except ValueError:
            errors[f"doc-{d}"] = _("默认期限“%(value)s”不是有效日期。") % {"value": value}
            continue
        if due and not plausible.is_plausible(due):
            errors[f"doc-{d}"] = plausible.out_of_range_message(due)
    if not count:
        errors[""] = _("没有勾选任何事项。")
    chosen = [value for value in decisions.units.values() if value not in ("", "new", "group")]
    unit_ids = [parse_id(value) for value in chosen if value[:1] != "g"]
    group_ids = [parse_id(value[1:]) for value in chosen if value[:1] == "g"]
    known_units = set(
        Unit.objects.filter(pk__in=[pk for pk in unit_ids if pk]).values_list("pk", flat=True)
    )
    known_groups = set(
        UnitGroup.objects.filter(pk__in=[pk for pk in group_ids if pk]).values_list("pk", flat=True)
    )
    # None (not an id) is never known
    if any(pk not in known_units for pk in unit_ids) or any(
        pk not in known_groups for pk in group_ids
    ):
        errors["units"] = _("所选单位不存在，请重新选择。")
    return errors


def confirm_import(job: ImportJob, user, decisions: Decisions | None = None) -> dict:
    """Create or update everything the preview shows, in one transaction; returns counts."""
    decisions = decisions or Decisions()
    if job.status != ImportJob.Status.READY:
        raise ImportRejected(_("这次导入已经确认过或尚未解析完成。"))
    errors = validate_decisions(job.preview, decisions)
    if errors:
        raise ImportRejected(" ".join(errors.values()))
    try:
        with transaction.atomic():
            # Confirmations run one at a time: each locks every job still awaiting
            # confirmation (in id order, so two never deadlock) and the next one goes on
            # only once the first has committed. It then sees the documents, units and tags
            # the first created, and a preview they made stale is refused with its message
            # (import_document) instead of colliding with them on a unique index.
            # (SQLite has no row locks; there its writers are serialized anyway.)
            list(
                ImportJob.objects.select_for_update()
                .filter(status=ImportJob.Status.READY)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
                status=ImportJob.Status.CONFIRMED, progress=100
            )
            if not claimed:
                raise ImportRejected(_("这次导入已经确认过或尚未解析完成。"))
            importer = _Importer(job, user, decisions)
            result = importer.run()
            ImportJob.objects.filter(pk=job.pk).update(
                source_file=importer.source_file,
                result=result,
                data=b"",
                stage=_("已导入"),
            )
    except IntegrityError as exc:
        # Anything else written meanwhile (the admin, say) that this import would duplicate.
        logger.warning("import job %s collided with a concurrent change: %s", job.pk, exc)
        raise ImportRejected(_("导入的内容在预览之后已被他人导入或修改，请重新上传解析。")) from exc
    job.refresh_from_db()
    return result


class _Importer:
    """One confirm: holds the caches (units, tags, users) the rows share."""

    def __init__(self, job: ImportJob, user, decisions: Decisions):
        self.job, self.user, self.decisions = job, user, decisions
        self.resolver = UnitResolver.load()
        self.groups: dict[str, int] = {}
        self.default_due: date | None = None
        self.tags: dict[str, Tag] = {}
        self.users_by_name = _users_by_display_name()
        self.result: dict[str, Any] = {
            "documents_created": 0,
            "documents_updated": 0,
            "items_created": 0,
            "items_updated": 0,
            "items_gone": 0,
            "units_created": 0,
            "aliases_created": 0,
            "groups_created": 0,
            "fields_kept": 0,
            "items": [],
            "documents": [],
        }
        self.source_file = None
        self.key = ""  # the preview key of the item being imported
        self.previous: list[int] = []  # the documents whose items this one updates

    def run(self) -> dict:
        self.map_units()
        self.source_file = self.get_source_file()
        for d, entry in enumerate(self.job.preview["documents"]):
            chosen = [
                (i, item)
                for i, item in enumerate(entry["items"])
                if included(item, self.decisions.items.get(item_key(d, i), {}))
            ]
            if chosen:
                self.import_document(d, entry, chosen)
        return self.result

    # units the user mapped --------------------------------------------------------------
    def map_units(self) -> None:
        for unknown in sorted(self.job.preview.get("unknown_units", []), key=lambda u: u["key"]):
            key, name = unknown["key"], unknown["name"].strip()[:200]
            choice = self.decisions.unit_choice(unknown)
            if not choice or self.resolver.by_key.get(key) or key in self.resolver.groups:
                continue
            if choice == "group":
                group, created = UnitGroup.objects.get_or_create(
                    key=key, defaults={"name": name, "member_kind": guess_group_kind(name)}
                )
                self.result["groups_created"] += int(created)
                self.resolver.groups[key] = group.pk
                continue
            if choice.startswith("g"):
                self.resolver.groups[key] = parse_id(choice[1:])
                continue
            if choice == "new":
                unit, created = Unit.objects.get_or_create(
                    name=name, defaults={"kind": guess_unit_kind(name)}
                )
                self.result["units_created"] += int(created)
            else:
                unit = Unit.objects.get(pk=parse_id(choice))
                UnitAlias.objects.update_or_create(key=key, defaults={"unit": unit, "name": name})
                self.result["aliases_created"] += 1
            self.resolver.by_key[key] = unit.pk

    def get_source_file(self) -> SourceFile:
        job = self.job
        existing = SourceFile.objects.filter(sha256=job.sha256).first()
        if existing:
            return existing
        return SourceFile.objects.create(
            name=job.file_name,
            sha256=job.sha256,
            size=job.size,
            text=job.text,
            gazette_title=job.preview.get("gazette_title", ""),
            gazette_issue=job.preview.get("gazette_issue", ""),
            uploaded_by=self.user,
        )

    # documents ----------------------------------------------------------------------------
    def import_document(self, d: int, entry: dict, chosen: list[tuple[int, dict]]) -> None:
        existing = existing_document(entry["doc_number"], entry["sha256"])
        planned = (entry["existing"] or {}).get("id")
        if (existing.pk if existing else None) != planned:
            raise ImportRejected(
                _("文档“%(title)s”在预览之后已被他人导入或修改，请重新上传解析。")
                % {"title": entry["title"]}
            )
        values = {
            "source_file": self.source_file,
            "doc_number": entry["doc_number"],
            "title": entry["title"],
            "issuer": entry["issuer"],
            "signed_on": plausible.plausible_or_none(_iso(entry["signed"])),
            "line_start": entry["line_start"],
            "line_end": entry["line_end"],
            "text": _lines(self.job.text, entry["line_start"], entry["line_end"]),
            "sha256": entry["sha256"],
            "imported_at": timezone.now(),
            # The new items the office left out: a later re-import proposes them left out.
            "dropped": [
                {"ref": item["ref"], "text": item["text"]}
                for i, item in enumerate(entry["items"])
                if not item["match"] and i not in {index for index, _item in chosen}
            ],
        }
        replaced = None
        if entry.get("replaces"):
            replaced = SourceDocument.objects.filter(
                pk=entry["replaces"]["id"], replaced_by__isnull=True
            ).first()
            if replaced is None:
                raise ImportRejected(
                    _("文档“%(title)s”在预览之后已被他人导入或修改，请重新上传解析。")
                    % {"title": entry["title"]}
                )
            values["replaces"] = replaced
        if existing:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            document = existing
            self.result["documents_updated"] += 1
        else:
            document = SourceDocument.objects.create(**values)
            self.result["documents_created"] += 1
        self.result["documents"].append(
            {
                "id": document.pk,
                "title": document.title,
                "updated": bool(existing),
                "replaces": replaced.pk if replaced else None,
            }
        )
        self.previous = [pk for pk in (document.pk, replaced and replaced.pk) if pk]
        default_owners = []
        doc_choice = self.decisions.documents.get(str(d), {})
        if doc_choice.get("default_owners", True):
            default_owners = entry.get("default_owners", [])
        self.default_due = default_due(entry, doc_choice)
        for i, item in chosen:
            self.key = item_key(d, i)
            self.import_item(document, item, self.decisions.items.get(self.key, {}), default_owners)
        earlier = existing or replaced
        if earlier is not None:
            self.note_gone(earlier, entry["gone"])

    def note_gone(self, document: SourceDocument, gone: list[dict]) -> None:
        still_there = Item.objects.filter(pk__in=[g["id"] for g in gone], document=document)
        for item in still_there:
            Comment.objects.create(
                item=item,
                author=self.user,
                kind=Comment.Kind.NOTE,
                text=_(
                    "重新导入《%(title)s》时，新版本中没有找到这一事项；事项保留未删除，请核实。"
                )
                % {"title": document.title},
            )
            self.result["items_gone"] += 1

    # items --------------------------------------------------------------------------------
    def import_item(
        self,
        document: SourceDocument,
        entry: dict,
        choice: dict,
        default_owners: list[dict] | tuple = (),
    ) -> Item:
        match = entry.get("match")
        tracked = None
        if match:
            tracked = Item.objects.filter(pk=match["id"], document_id__in=self.previous).first()
        fields = {
            "document": document,
            "ref": entry["ref"],
            "section": entry["section"],
            "text": (choice.get("text") or entry["text"]).strip(),
            "kind": entry["kind"],
            "line_start": entry["line"],
            "line_end": entry["end_line"],
            "fields": entry["fields"],
            "parsed": merge.parsed_values(entry),
        }
        new = tracked is None
        take = {"text", "owners", "due"}  # what the new version sets
        if tracked is None:
            item = Item.objects.create(**fields)
            self.result["items_created"] += 1
        else:
            item = tracked
            take = self.merged_fields(item, entry, choice)
            if "text" not in take:
                fields.pop("text")
            for name, value in fields.items():
                setattr(item, name, value)
            item.version += 1  # a form opened before the re-import must notice the change
            self.result["items_updated"] += 1
        if "owners" in take:
            self.set_owners(item, entry, choice, new, default_owners)
        self.set_people(item, entry, new)
        if "due" in take:
            self.set_deadlines(item, entry, choice, new)
        if "withdrawn" in take:  # the office restores an item it withdrew
            item.withdrawn_at, item.withdrawn_reason = None, ""
        if entry["tags"]:
            item.tags.add(*[self.tag(name) for name in entry["tags"]])
        due = item.due_date
        item.refresh_due_date()
        if not new or item.due_date != due:
            item.save()
        self.result["items"].append(item.pk)
        return item

    def merged_fields(self, item: Item, entry: dict, choice: dict) -> set[str]:
        """The fields of a tracked item that this import sets: those differing from the new
        version where the office picks the new value (by default: those it did not change by
        hand, tracker.imports.merge), and those it typed on this preview."""
        found = merge.item_differences([item], {item.pk: entry}).get(item.pk, [])
        take = {d["field"] for d in found if merge.resolution(d, choice) == "new"}
        self.result["fields_kept"] += len(found) - len(take)
        if "text" in choice:
            take.add("text")
        if any(key in choice for key in ("lead", "co", "responsible")):
            take.add("owners")
        if "due" in choice:
            take.add("due")
        return take

    def set_owners(
        self, item: Item, entry: dict, choice: dict, new: bool, default_owners=()
    ) -> None:
        previous = {}
        if not new:
            previous = {(o.role, o.name): (o.unit_id, o.group_id) for o in item.owners.all()}
            item.owners.all().delete()
        owners = entry["owners"]
        named = any(key in choice for key in ("lead", "co", "responsible"))
        is_default = not owners and not named and bool(default_owners)
        if is_default:
            owners = default_owners
        rows = []
        for role, key in (
            (ItemOwner.Role.LEAD, "lead"),
            (ItemOwner.Role.CO, "co"),
            (ItemOwner.Role.RESPONSIBLE, "responsible"),
        ):
            if key in choice:
                names = _unique(choice[key])
            else:
                names = [o["name"] for o in owners if o["role"] == role]
            for position, name in enumerate(names):
                unit = self.resolver.resolve(name)
                group = None if unit else self.resolver.groups.get(fold_name(name))
                if not unit and not group:
                    unit, group = previous.get((role, name), (None, None))
                rows.append(
                    ItemOwner(
                        item=item,
                        role=role,
                        name=name,
                        unit_id=unit,
                        group_id=group,
                        position=position,
                        is_default=is_default,
                    )
                )
        ItemOwner.objects.bulk_create(rows)

    def set_people(self, item: Item, entry: dict, new: bool) -> None:
        if not new:
            item.people.all().delete()
        positions: dict[str, int] = {}
        rows = []
        for person in entry["people"]:
            position = positions.get(person["role"], 0)
            positions[person["role"]] = position + 1
            rows.append(
                ItemPerson(
                    item=item,
                    role=person["role"],
                    name=person["name"],
                    user_id=self.account_of(item, person["name"]),
                    position=position,
                )
            )
        ItemPerson.objects.bulk_create(rows)

    def account_of(self, item: Item, name: str) -> int | None:
        """The account a name in the document is linked to (and reminded through): the one
        user of that display name, when they may open the item anyway (the office, leaders)
        or belong to one of its units, or when the office confirmed the link in the preview.
        A namesake in another unit is not linked: reminders would carry the item to them."""
        account = self.users_by_name.get(name)
        if account is None:
            return None
        pk, unit_id, sees_everything = account
        units = set(item.owners.exclude(unit=None).values_list("unit_id", flat=True))
        if sees_everything or unit_id in units or (self.key, name) in self.decisions.links:
            return pk
        return None

    def set_deadlines(self, item: Item, entry: dict, choice: dict, new: bool) -> None:
        kept_keys = set()
        if not new:
            # Deadlines already met, and milestones added by hand, survive a re-import.
            kept = list(
                item.deadlines.filter(Q(done_at__isnull=False) | Q(kind=Deadline.Kind.MILESTONE))
            )
            kept_keys = {(d.expr, d.date, d.recurrence) for d in kept}
            item.deadlines.exclude(pk__in=[d.pk for d in kept]).delete()
        rows = []
        planned = planned_deadlines(entry, choice)
        cleared = "due" in choice and choice["due"] is None  # the office emptied the date
        if self.default_due and not cleared and not any(v["date"] for v in planned):
            planned.append(
                {
                    "expr": "",
                    "date": self.default_due,
                    "recurrence": "",
                    "what": "",
                    "ongoing": False,
                    "is_default": True,
                }
            )
        for values in planned:
            if (values["expr"], values["date"], values["recurrence"]) in kept_keys:
                continue
            if values["recurrence"] or entry["kind"] == Item.Kind.REPORT:
                values["kind"] = Deadline.Kind.REPORT
            rows.append(Deadline(item=item, **values))
        if rows:  # with their audit-trail rows, as a save() would write
            bulk_create_with_history(rows, Deadline, default_user=self.user)

    def tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name], _created = Tag.objects.get_or_create(name=name[:50])
        return self.tags[name]
