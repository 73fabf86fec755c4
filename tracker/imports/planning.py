"""What confirming writes for one item: its planned deadlines, and the accounts its names may link to."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from tracker.imports.units import UnitResolver
from tracker.lib import plausible
from tracker.models import (
    User,
)


def planned_deadlines(entry: dict, choice: dict) -> list[dict]:
    """The deadlines of an item, with the user's due date applied.

    A due date typed on the preview is the item's final date: parsed dates later than it
    become it (their wording is kept, so the source stays visible); if no parsed date reaches
    it, a deadline of that date is added. An emptied due date drops the parsed dates;
    recurrences (每月25日前) and ongoing work stay.
    """
    rows = [  # a preview stored before the plausible range was checked may hold any date
        {
            "expr": d["expr"][:100],
            "date": plausible.plausible_or_none(_iso(d["date"])),
            "recurrence": d["recurrence"][:50],
            "what": d["what"][:200],
            "ongoing": d["ongoing"],
        }
        for d in entry["deadlines"]
    ]
    if "due" not in choice:
        return rows
    due = choice["due"]
    parsed_due = plausible.plausible_or_none(_iso(entry["due"]))
    if due == parsed_due:
        return rows
    if due is None:
        return [row for row in rows if row["date"] is None]
    for row in rows:
        if row["date"] and row["date"] > due:
            row["date"] = due
    if not any(row["date"] == due for row in rows):
        rows.append(
            {
                "expr": "",
                "date": due,
                "recurrence": "",
                "what": _("导入时确定的完成时限"),
                "ongoing": False,
            }
        )
    return rows


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _lines(text: str, start: int, end: int) -> str:
    return "\n".join(text.split("\n")[max(start, 1) - 1 : end])


def _users_by_display_name() -> dict[str, tuple[int, int | None, bool]]:
    """Display name → (user id, unit id, sees every item) when exactly one user has it."""
    names: dict[str, list[User]] = {}
    for user in User.objects.exclude(display_name="").only(
        "pk", "display_name", "unit_id", "role", "is_superuser"
    ):
        names.setdefault(user.display_name.strip(), []).append(user)
    return {
        name: (users[0].pk, users[0].unit_id, users[0].sees_everything)
        for name, users in names.items()
        if len(users) == 1
    }


def namesakes(
    item: dict, resolver: UnitResolver | None = None, users: dict | None = None
) -> list[dict]:
    """The people of a preview item whose account would not be linked without the office's
    word: the one account of that name belongs to none of the item's units."""
    users = _users_by_display_name() if users is None else users
    units = {o["unit"] for o in item["owners"] if o["unit"]}
    found = []
    for person in item["people"]:
        account = users.get(person["name"])
        if account and not account[2] and account[1] not in units:
            found.append({"name": person["name"], "user": account[0]})
    return found
