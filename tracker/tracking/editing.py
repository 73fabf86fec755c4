"""The supervision office's changes to an item: edit, split (分解), withdraw (撤销) and restore.

Callers check permissions first (tracker.access: EDIT, SPLIT, WITHDRAW). Like the workflow
actions (tracker.tracking.actions) every function names the version the user started from
and moves the item on with `_claim`, so a second save of the same version is a Conflict that
changes nothing; every change writes an audit row whose reason is a code (tracker.tracking.audit).

A hand edit is what a later re-import must not lose. The re-import compares the office's item
with what the parser said at the last import (Item.parsed, tracker.imports): an edited text,
owner list or due date differs from it and is kept unless the office picks the new value. So
an edit marks what it set by hand as such: owners the office wrote are no longer default
addressees (ItemOwner.is_default) and a due date the office set is no default one
(Item.due_is_default); the audit row names every field edited ("edit" with `fields`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracker.lib import plausible
from tracker.lib.dates import format_date
from tracker.models import Deadline, Item, ItemOwner, ItemPerson, Tag, Unit, UnitGroup, User
from tracker.tracking import audit
from tracker.tracking.actions import ActionError, Conflict, _claim, roll_up

S = Item.Status


@dataclass
class Owner:
    role: str
    name: str
    unit: Unit | None = None
    group: UnitGroup | None = None

    def key(self):
        return (
            self.role,
            self.name,
            self.unit.pk if self.unit else None,
            self.group.pk if self.group else None,
        )


@dataclass
class Person:
    role: str
    name: str
    user: User | None = None

    def key(self):
        return (self.role, self.name, self.user.pk if self.user else None)


@dataclass
class Milestone:
    """An open deadline as the office leaves it (`pk` None: a new one; `remove`: take it off)."""

    pk: int | None
    kind: str
    what: str
    expr: str
    date: date | None
    remove: bool = False


@dataclass
class Edit:
    text: str
    owners: list[Owner]
    people: list[Person]
    due_date: date | None
    milestones: list[Milestone] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _owner_key(owner: ItemOwner):
    return (owner.role, owner.name, owner.unit_id, owner.group_id)


def _person_key(person: ItemPerson):
    return (person.role, person.name, person.user_id)


def _check_dates(edit: Edit):
    for day in [edit.due_date, *(m.date for m in edit.milestones if not m.remove)]:
        if not plausible.is_plausible(day):
            raise ActionError(plausible.out_of_range_message(day))


def _by_office_expr(day):
    """A Deadline's expression is the documents' vocabulary: Chinese, whoever edits."""
    with translation.override("zh-hans"):
        return "督查室调整为" + format_date(day) if day else "督查室调整"


def _mark(obj, user, why):
    """Who and why, for the audit row simple-history writes on the next save or delete."""
    obj._history_user = user
    obj._change_reason = why
    return obj


def _save(obj, user, why):
    _mark(obj, user, why).save()


def changed_fields(item: Item, edit: Edit) -> list[str]:
    """The codes of the fields `edit` changes on `item` (audit.EDITED_FIELDS)."""
    changed = []
    if edit.text.strip() != item.text:
        changed.append("text")
    if [o.key() for o in edit.owners] != [_owner_key(o) for o in item.owners.all()]:
        changed.append("owners")
    if [p.key() for p in edit.people] != [_person_key(p) for p in item.people.all()]:
        changed.append("people")
    if edit.due_date != item.due_date:
        changed.append("due_date")
    open_rows = {d.pk: d for d in item.deadlines.all() if not d.closed}
    if any(
        m.pk is None
        or m.remove
        or m.pk not in open_rows
        or (m.kind, m.what, m.expr, m.date)
        != (open_rows[m.pk].kind, open_rows[m.pk].what, open_rows[m.pk].expr, open_rows[m.pk].date)
        for m in edit.milestones
    ):
        changed.append("deadlines")
    if sorted(set(edit.tags)) != sorted(t.name for t in item.tags.all()):
        changed.append("tags")
    return changed


@transaction.atomic
def do_edit(user, item: Item, version: int, edit: Edit) -> list[str]:
    """Apply the office's edit; returns the codes of the fields changed ([] changes nothing)."""
    if not edit.text.strip():
        raise ActionError(_("任务内容不能为空。"))
    if not any(o.role == ItemOwner.Role.LEAD for o in edit.owners) and any(
        o.role == ItemOwner.Role.LEAD for o in item.owners.all()
    ):
        raise ActionError(_("请至少保留一个牵头单位。"))
    _check_dates(edit)
    changed = changed_fields(item, edit)
    if not changed:
        return []
    why = audit.reason("edit", fields=",".join(changed))
    old_due = item.due_date
    updates: dict = {}
    if "text" in changed:
        updates["text"] = edit.text.strip()
    if "due_date" in changed:
        updates.update(due_date=edit.due_date, due_is_default=False)
    _claim(item, version, user, why, **updates)  # the version check first: nothing before it
    if "owners" in changed:
        _replace_owners(item, edit.owners)
    if "people" in changed:
        _replace_people(item, edit.people)
    if "deadlines" in changed:
        _apply_milestones(item, edit.milestones, user, why)
    if "due_date" in changed:
        _move_due(item, old_due, edit.due_date, user, why)
    if "tags" in changed:
        item.tags.set([Tag.objects.get_or_create(name=name)[0] for name in edit.tags])
    return changed


def _replace_owners(item: Item, owners: list[Owner]):
    """The office's owner list, in its order. An owner kept as it was keeps its default mark
    (the document's addressee); any other is written by hand."""
    default = {_owner_key(o) for o in item.owners.all() if o.is_default}
    item.owners.all().delete()
    seen = set()
    for position, owner in enumerate(owners):
        if (owner.role, owner.name) in seen:
            continue
        seen.add((owner.role, owner.name))
        ItemOwner.objects.create(
            item=item,
            role=owner.role,
            name=owner.name,
            unit=owner.unit,
            group=owner.group,
            position=position,
            is_default=owner.key() in default,
        )


def _replace_people(item: Item, people: list[Person]):
    item.people.all().delete()
    seen = set()
    for position, person in enumerate(people):
        if (person.role, person.name) in seen:
            continue
        seen.add((person.role, person.name))
        ItemPerson.objects.create(
            item=item, role=person.role, name=person.name, user=person.user, position=position
        )


def _apply_milestones(item: Item, milestones: list[Milestone], user, why):
    """Open deadlines changed, added or taken off; done or superseded ones stay as they are.
    One that reminders were sent for is closed rather than deleted (the e-mails keep it)."""
    rows = {d.pk: d for d in item.deadlines.filter(Deadline.OPEN)}
    for m in milestones:
        row = rows.get(m.pk) if m.pk is not None else None
        if m.pk is not None and row is None:
            continue  # closed or gone since the page was loaded: the version check saw it
        if m.remove:
            if row is None:
                continue
            if row.reminders.exists():
                row.superseded_at = timezone.now()
                _save(row, user, why)
            else:
                _mark(row, user, why).delete()
            continue
        row = row or Deadline(item=item)
        if row.pk and (row.kind, row.what, row.expr, row.date) == (m.kind, m.what, m.expr, m.date):
            continue
        if row.pk and row.date != m.date:
            row.is_default = False
        row.kind, row.what, row.expr, row.date = m.kind, m.what, m.expr, m.date
        row.ongoing = False
        _save(row, user, why)


def _move_due(item: Item, old: date | None, new: date | None, user, why):
    """A new due date moves the open 时限 rows of the old one. An item that keeps dated rows
    gets a 时限 row on the new date when none is there, so the reminders chase it."""
    for row in item.deadlines.filter(Deadline.OPEN, kind=Deadline.Kind.DEADLINE, date=old):
        if old is None:
            break
        row.date, row.is_default = new, False
        _save(row, user, why)
    dated = item.deadlines.filter(date__isnull=False)
    if new and dated.exists() and not dated.filter(Deadline.OPEN, date=new).exists():
        row = Deadline(
            item=item,
            kind=Deadline.Kind.DEADLINE,
            date=new,
            expr=_by_office_expr(new),
            what="完成时限",
        )
        _save(row, user, why)


# ---- 分解 --------------------------------------------------------------------------------


@dataclass
class Part:
    text: str
    lead: Owner
    co: list[Owner] = field(default_factory=list)
    due_date: date | None = None


def can_split(item: Item) -> str:
    """ "" when the item may be split, else why not (shown on the page)."""
    if item.parent_id:
        return _("子任务不能再分解。")
    if item.status in (S.COMPLETED, S.COMPLETION_REQUESTED):
        return _("事项已办结或正在申请办结，不能分解。")
    if item.withdrawn:
        return _("事项已撤销，不能分解。")
    return ""


@transaction.atomic
def do_split(user, item: Item, version: int, parts: list[Part]) -> list[Item]:
    """分解: new sub-items, each with its text, owners and due date, under `item`.

    The sub-items keep the parent's kind, section, people and tags; they start as 待签收 for
    their own units. The parent's percent, state and completion roll up from them.
    """
    reason = can_split(item)
    if reason:
        raise ActionError(reason)
    if not parts:
        raise ActionError(_("请至少填写一项子任务。"))
    for part in parts:
        if not plausible.is_plausible(part.due_date):
            raise ActionError(plausible.out_of_range_message(part.due_date))
    existing = item.children.count()
    _claim(item, version, user, audit.reason("split", count=existing + len(parts)))
    people = list(item.people.all())
    tags = list(item.tags.all())
    children = []
    for number, part in enumerate(parts, start=existing + 1):
        child = Item(
            parent=item,
            text=part.text.strip(),
            kind=item.kind,
            section=item.section,
            ref=f"{item.ref}-{number}" if item.ref else str(number),
            due_date=part.due_date,
            fields=item.fields,
        )
        _save(child, user, audit.reason("split_from"))
        for position, owner in enumerate([part.lead, *part.co]):
            ItemOwner.objects.get_or_create(
                item=child,
                role=owner.role,
                name=owner.name,
                defaults={"unit": owner.unit, "group": owner.group, "position": position},
            )
        for person in people:
            ItemPerson.objects.create(
                item=child,
                role=person.role,
                name=person.name,
                user=person.user,
                position=person.position,
            )
        child.tags.set(tags)
        children.append(child)
    roll_up(item.pk, user)
    return children


# ---- 撤销 and restoring --------------------------------------------------------------------


@transaction.atomic
def do_withdraw(user, item: Item, version: int, reason: str) -> Item:
    """撤销 with a reason: the item leaves lists, dashboards and reminders; nothing is deleted.
    A split item's open sub-items are withdrawn with it (each audited)."""
    if item.withdrawn:
        raise ActionError(_("该事项已撤销。"))
    if not reason.strip():
        raise ActionError(_("请写明撤销理由。"))
    now = timezone.now()
    why = audit.reason("withdraw", reason=reason.strip())
    _claim(item, version, user, why, withdrawn_at=now, withdrawn_reason=reason.strip()[:500])
    for child in item.children.filter(withdrawn_at__isnull=True):
        _claim(
            child, child.version, user, why, withdrawn_at=now, withdrawn_reason=reason.strip()[:500]
        )
    return item


@transaction.atomic
def do_restore(user, item: Item, version: int) -> Item:
    """Undo a withdrawal: the item is back in lists, dashboards and reminders as it was."""
    if not item.withdrawn:
        raise ActionError(_("该事项未撤销。"))
    if (
        item.parent_id
        and Item.objects.filter(pk=item.parent_id, withdrawn_at__isnull=False).exists()
    ):
        raise ActionError(_("上级事项已撤销，请先恢复上级事项。"))
    if item.parent_id and Item.objects.filter(pk=item.parent_id, status=S.COMPLETED).exists():
        raise ActionError(_("上级事项已办结，不能恢复其子任务。"))
    if not Item.objects.filter(pk=item.pk, version=version).exists():
        raise Conflict(Item.objects.get(pk=item.pk))
    # Sub-items withdrawn together with it come back with it (before it: no roll-up yet).
    for child in item.children.filter(withdrawn_at=item.withdrawn_at):
        _claim(
            child,
            child.version,
            user,
            audit.reason("restore"),
            withdrawn_at=None,
            withdrawn_reason="",
        )
    _claim(item, version, user, audit.reason("restore"), withdrawn_at=None, withdrawn_reason="")
    roll_up(item.pk, user)
    return item
