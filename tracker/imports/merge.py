"""Re-import as a three-way merge: what the parser said last time, what the office has now,
and what the parser says now.

At every confirm an item stores what the parser said (`Item.parsed`: text, owners by role,
written due date). On a re-import each field that differs between the office's item and the
new version is one difference, old → new, with a choice: a field the office changed by hand
since the last import (its value is no longer the parser's; for the date, also any approved
extension) keeps the office's value unless the office picks the new one; any other field
takes the new value unless the office keeps the old one. An item imported before the parsed
values were stored has no base: every difference counts as the office's. Items the office
left out at the last import (SourceDocument.dropped) are proposed left out again, and an item
the office withdrew (撤销) stays withdrawn unless the office restores it here.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker.models import Deadline, Item, ItemOwner, Request

FIELDS = ("text", "owners", "due")  # and "withdrawn", for an item the office withdrew
OWNER_ROLES = ("lead", "co", "responsible")


def parsed_values(entry: dict) -> dict:
    """A preview item's values as the parser gave them (the next merge's base)."""
    return {
        "text": entry["text"],
        "owners": {
            role: [o["name"] for o in entry["owners"] if o["role"] == role] for role in OWNER_ROLES
        },
        "due": entry.get("due"),
    }


def current_values(item: Item, owners: Iterable[ItemOwner]) -> dict:
    """The office's item now. Owners filled in from the addressees and a default due date
    (默认期限) are no written values: they count as none."""
    written = [o for o in owners if not o.is_default]
    written.sort(key=lambda o: o.position)
    return {
        "text": item.text,
        "owners": {role: [o.name for o in written if o.role == role] for role in OWNER_ROLES},
        "due": (item.due_date.isoformat() if item.due_date and not item.due_is_default else None),
    }


def extended(item_ids: Iterable[int]) -> set[int]:
    """Items whose date an approved extension moved (a superseded deadline or the request)."""
    ids = list(item_ids)
    superseded = Deadline.objects.filter(item_id__in=ids, superseded_at__isnull=False)
    approved = Request.objects.filter(
        item_id__in=ids, kind=Request.Kind.EXTENSION, decision=Request.Decision.APPROVED
    )
    return set(superseded.values_list("item_id", flat=True)) | set(
        approved.values_list("item_id", flat=True)
    )


def differences(
    base: dict | None,
    current: dict,
    new: dict,
    was_extended: bool = False,
    withdrawn: bool = False,
) -> list[dict]:
    """Every field where the office's item and the new version differ, with `edited` when
    the office's value is a hand change (kept unless the office picks the new one). An item
    the office withdrew (撤销) that the new version still has is one more difference: it
    stays withdrawn unless the office restores it."""
    out = []
    if withdrawn:
        out.append(
            {"field": "withdrawn", "base": False, "current": True, "new": False, "edited": True}
        )
    for name in FIELDS:
        if current[name] == new[name]:
            continue
        edited = not base or name not in base or base[name] != current[name]
        if name == "due" and was_extended:
            edited = True
        out.append(
            {
                "field": name,
                "base": (base or {}).get(name),
                "current": current[name],
                "new": new[name],
                "edited": edited,
            }
        )
    return out


def resolution(difference: dict, choice: dict) -> str:
    """ "keep" (the office's value) or "new" (the new version's) for one difference."""
    picked = (choice.get("merge") or {}).get(difference["field"])
    if picked in ("keep", "new"):
        return picked
    return "keep" if difference["edited"] else "new"


def item_differences(items: list[Item], entries: dict[int, dict]) -> dict[int, list[dict]]:
    """Item id → its differences with the new entry matched to it (entries by item id)."""
    owners: dict[int, list[ItemOwner]] = {}
    for owner in ItemOwner.objects.filter(item__in=[i.pk for i in items]):
        owners.setdefault(owner.item_id, []).append(owner)
    moved = extended(i.pk for i in items)
    return {
        item.pk: differences(
            item.parsed or None,
            current_values(item, owners.get(item.pk, [])),
            parsed_values(entries[item.pk]),
            item.pk in moved,
            item.withdrawn_at is not None,
        )
        for item in items
        if item.pk in entries
    }
