"""Dashboard aggregates, computed in the database; each function returns plain lists and dicts.

Every function takes an item queryset already scoped to the user (`visible_to`) and narrowed
by the filters, and `today`. The state of an item (done, overdue, at risk ...) always comes
from `ItemQuerySet.with_state`; nothing here re-decides it. The number of queries each function
runs is fixed: it does not grow with the number of items.
"""

import datetime

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Greatest,
    Least,
    TruncDate,
    TruncMonth,
    TruncWeek,
)

from tracker.lib import plausible
from tracker.models import (
    LIGHT_ORDER,
    Item,
    ItemOwner,
    ItemPerson,
    Light,
    ProgressReport,
    SourceDocument,
    Unit,
    UnitGroup,
    annotate_pace,
)
from tracker.models.items import lead_owner

STATES = [state for state, _label in Item.State.choices]
# Most urgent first: the order in which lists put items and stacks put states.
URGENCY = [
    Item.State.OVERDUE,
    Item.State.AT_RISK,
    Item.State.ON_TRACK,
    Item.State.UNDATED,
    Item.State.DONE,
]
GRADES = [grade for grade, _label in Item.Grade.choices]

LIGHTS = list(LIGHT_ORDER)


def _by_state(items, *fields, distinct=False, **named):
    """Rows grouped by the given fields and the state, as {key: {"states": {...}, ...}}.

    Grouping by state evaluates the state expression once per row (a Count(filter=...) per
    state would evaluate it five times). `distinct` where a join may repeat an item (a unit
    named twice on one item). The result has one entry per group: a few hundred at most.
    """
    rows = items.values(*fields, "state", **named).annotate(n=Count("id", distinct=distinct))
    keys = [*fields, *named]
    groups = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {k: row[k] for k in keys}
            group["states"] = dict.fromkeys(STATES, 0)
            group["total"] = 0
        group["states"][row["state"]] += row["n"]
        group["total"] += row["n"]
    return groups


def window(today):
    """(first, last): the dates every time chart spans at most, the plausible range of
    tracker.lib.plausible. A date stored outside it (9999-12-31 or 0001-01-01 written past the
    checks) is drawn at the window's edge: the axis never spans millennia, the number of
    periods stays bounded and the date arithmetic never leaves the calendar. Tables keep the
    stored dates."""
    return plausible.bounds(today)


def clip(day, today):
    """A date moved into window(today) (None stays None)."""
    if day is None:
        return None
    first, last = window(today)
    return min(max(day, first), last)


def _clipped(expression, today):
    """clip() in the database, for the queries that group by a date."""
    first, last = window(today)
    return Least(
        Greatest(expression, Value(first, output_field=DateField())),
        Value(last, output_field=DateField()),
        output_field=DateField(),
    )


def key_figures(items, today):
    empty = {"states": dict.fromkeys(STATES, 0), "total": 0}
    group = _by_state(items.with_state(today)).get((), empty)
    total = group["total"]
    return {
        "total": total,
        "states": group["states"],
        "completion_rate": round(100 * group["states"][Item.State.DONE] / total, 1)
        if total
        else 0.0,
    }


def completion_trend(items, today, weekly):
    """Items due by each period's end (the plan) against items completed by it (cumulative).

    Periods within window(today): an item stored with an absurd date counts at its edge."""
    trunc = TruncWeek if weekly else TruncMonth
    due = dict(
        items.filter(due_date__isnull=False)
        .annotate(p=trunc(_clipped(F("due_date"), today)))
        .values("p")
        .annotate(n=Count("id"))
        .values_list("p", "n")
    )
    done = dict(
        items.filter(status=Item.Status.COMPLETED)
        .annotate(p=trunc(_clipped(TruncDate("completed_at"), today)))
        .values("p")
        .annotate(n=Count("id"))
        .values_list("p", "n")
    )
    points, due_total, done_total = [], 0, 0
    for period in sorted(set(due) | set(done)):
        due_total += due.get(period, 0)
        done_total += done.get(period, 0)
        points.append(
            {
                "period": period,
                "end": _period_end(period, weekly),
                "due": due_total,
                "done": done_total,
                "future": period > today,
            }
        )
    return points


def _period_end(start, weekly):
    if weekly:
        return start + datetime.timedelta(days=6)
    return month_end(start)


def month_end(day):
    next_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return next_month - datetime.timedelta(days=1)


def _unit_owners(items):
    """Items joined once per unit named on them (lead, co-operating or responsible).

    Later values("owners__...") reuse this join (the filters use subqueries, never this join).
    """
    return items.filter(owners__unit__isnull=False)


def _lead_owner(field):
    """The item's lead owner (the first 牵头单位, else the first 责任单位): one of its fields."""
    return lead_owner(field)


def states_by_unit(items, today):
    """Per lead owner: items in each state, most overdue first.

    Each item counts once, under its lead owner: a unit, a unit group (各镇(街道)) or, when
    the lead owner is linked to neither or the item names none, the 未对应单位 row (unit_id
    and group_id None). The rows therefore add up to key_figures.
    """
    groups = list(
        _by_state(
            items.with_state(today).annotate(
                unit_id=_lead_owner("unit_id"), group_id=_lead_owner("group_id")
            ),
            "unit_id",
            "group_id",
        ).values()
    )
    units = dict(
        Unit.objects.filter(pk__in={g["unit_id"] for g in groups if g["unit_id"]}).values_list(
            "id", "name"
        )
    )
    unit_groups = dict(
        UnitGroup.objects.filter(
            pk__in={g["group_id"] for g in groups if g["group_id"]}
        ).values_list("id", "name")
    )
    merged = {}
    for g in groups:
        if g["unit_id"]:
            key, name = ("unit", g["unit_id"]), units[g["unit_id"]]
        elif g["group_id"]:
            key, name = ("group", g["group_id"]), unit_groups[g["group_id"]]
        else:
            key, name = ("none", None), ""
        row = merged.setdefault(
            key,
            {
                "unit_id": key[1] if key[0] == "unit" else None,
                "group_id": key[1] if key[0] == "group" else None,
                "unit": name,
                "unlinked": key[0] == "none",
                "states": dict.fromkeys(STATES, 0),
                "total": 0,
            },
        )
        row["total"] += g["total"]
        for state in STATES:
            row["states"][state] += g["states"][state]
    return sorted(merged.values(), key=lambda r: (r["unlinked"], *_most_overdue("unit")(r)))


def _name_units(rows):
    """Add each row's unit name: one small query, rather than grouping by a text column."""
    names = dict(Unit.objects.filter(pk__in={r["unit_id"] for r in rows}).values_list("id", "name"))
    for r in rows:
        r["unit"] = names[r["unit_id"]]
    return rows


def _most_overdue(name):
    return lambda g: (-g["states"][Item.State.OVERDUE], -g["total"], g[name])


def leader_portfolios(items, today, units_shown=5):
    """Per responsible leader: items in each state and the lead units doing the work."""
    with_leader = items.with_state(today).filter(people__role=ItemPerson.Role.LEADER)
    groups = sorted(
        _by_state(with_leader, leader=F("people__name")).values(), key=_most_overdue("leader")
    )
    leaders = {g["leader"]: {**g, "units": [], "unit_count": 0} for g in groups}
    unit_rows = (
        items.filter(
            people__role=ItemPerson.Role.LEADER,
            owners__role=ItemOwner.Role.LEAD,
            owners__unit__isnull=False,
        )
        .values(name=F("people__name"), unit_id=F("owners__unit_id"))
        .annotate(n=Count("id"))
    )
    unit_rows = sorted(_name_units(list(unit_rows)), key=lambda r: (r["name"], -r["n"], r["unit"]))
    for r in unit_rows:
        leader = leaders[r["name"]]
        leader["unit_count"] += 1
        if len(leader["units"]) < units_shown:
            leader["units"].append({"unit_id": r["unit_id"], "unit": r["unit"], "n": r["n"]})
    return list(leaders.values())


def states_by_document(items, today):
    groups = _by_state(
        items.with_state(today).filter(document__isnull=False), "document_id"
    ).values()
    documents = {
        d["id"]: d
        for d in SourceDocument.objects.filter(pk__in=[g["document_id"] for g in groups]).values(
            "id", "title", "doc_number", "signed_on"
        )
    }
    for g in groups:
        document = documents[g["document_id"]]
        g.update(
            title=document["title"],
            doc_number=document["doc_number"],
            signed_on=document["signed_on"],
            completion_rate=round(100 * g["states"][Item.State.DONE] / g["total"], 1),
        )
    return sorted(
        groups, key=lambda g: (-(g["signed_on"] or datetime.date.min).toordinal(), g["title"])
    )


def due_by_day(items, today, year):
    """Items due on each day of the year, and how many of them are overdue."""
    rows = (
        items.with_state(today)
        .filter(due_date__year=year)
        .values("due_date")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(state=Item.State.OVERDUE)))
        .order_by("due_date")
    )
    return [{"date": r["due_date"], "n": r["n"], "overdue": r["overdue"]} for r in rows]


def due_by_month(items, today, year):
    groups = _by_state(
        items.with_state(today).filter(due_date__year=year).annotate(month=TruncMonth("due_date")),
        "month",
    )
    return sorted(groups.values(), key=lambda g: g["month"])


def _leader_name():
    return Subquery(
        ItemPerson.objects.filter(item=OuterRef("pk"), role=ItemPerson.Role.LEADER)
        .order_by("position")
        .values("name")[:1]
    )


def late_items(items, today, thresholds, limit=20):
    """The red items (overdue ones first, the longest overdue first, then the furthest behind),
    with what, whose, how late and the last confirmed report. {"count": n, "items": [...]}:
    count is all red items, the number the item list shows for light=red."""
    red = annotate_pace(items.with_state(today), today, thresholds).filter(pace_light=Light.RED)
    latest = ProgressReport.objects.filter(
        item=OuterRef("pk"), confirmed_at__isnull=False
    ).order_by("-created_at", "-id")
    rows = list(
        red.annotate(
            lead_unit=_lead_unit_name(),
            leader=_leader_name(),
            report_on=Subquery(latest.values("created_at")[:1]),
            report_text=Subquery(latest.values("narrative")[:1]),
            overdue_first=Case(
                When(state=Item.State.OVERDUE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("overdue_first", "next_due", "percent", "id")
        .values(
            "id",
            "ref",
            "text",
            "state",
            "next_due",
            "due_date",
            "percent",
            "lead_unit",
            "leader",
            "report_on",
            "report_text",
            "pace_behind",
            "pace_period",
        )[:limit]
    )
    for r in rows:
        r["days_late"] = (today - r["next_due"]).days if r["state"] == Item.State.OVERDUE else 0
        r["milestone"] = r["state"] == Item.State.OVERDUE and r["next_due"] != r["due_date"]
        r["behind"] = round(r.pop("pace_behind") / r.pop("pace_period"), 1)
    return {"count": red.count(), "items": rows}


def _lead_unit_name():
    return Subquery(
        ItemOwner.objects.filter(item=OuterRef("pk"), role=ItemOwner.Role.LEAD)
        .order_by("position")
        .values("name")[:1]
    )


def _urgency():
    return Case(
        *[When(state=state, then=Value(rank)) for rank, state in enumerate(URGENCY)],
        output_field=IntegerField(),
    )


def coming_due(items, today, days=30, limit=200):
    """Items falling due in the coming days (done ones included, to show they are)."""
    window = items.with_state(today).filter(
        due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days)
    )
    per_day = sorted(_by_state(window, "due_date").values(), key=lambda g: g["due_date"])
    rows = (
        window.annotate(lead_unit=_lead_unit_name(), urgency=_urgency())
        .order_by("due_date", "urgency", "id")
        .values("id", "ref", "text", "due_date", "state", "percent", "lead_unit")[:limit]
    )
    return {
        "days": [
            {"date": g["due_date"], "total": g["total"], "states": g["states"]} for g in per_day
        ],
        "items": list(rows),
    }


def _worst(counts):
    """A unit's or a leader's light: the worst light among its items (an overdue item can
    never hide behind a green average), none when it has no dated item."""
    return next(
        (light for light in LIGHT_ORDER if light != Light.NONE and counts[light]), Light.NONE
    )


def _by_light(items, distinct=False, **named):
    rows = items.values("pace_light", **named).annotate(n=Count("id", distinct=distinct))
    groups = {}
    for row in rows:
        key = tuple(row[k] for k in named)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {k: row[k] for k in named}
            group["lights"] = dict.fromkeys(LIGHTS, 0)
            group["total"] = 0
        group["lights"][row["pace_light"]] += row["n"]
        group["total"] += row["n"]
    for group in groups.values():
        group["light"] = _worst(group["lights"])
    return groups


def _most_red(name):
    return lambda g: (-g["lights"][Light.RED], -g["lights"][Light.YELLOW], -g["total"], g[name])


def pace_lights(items, today, thresholds):
    """序时进度 lights (tracker.models.pace) of all the items, per unit and per leader.

    {"total": {...}, "units": [...], "leaders": [...]}: each with its count of items per light
    and its own light (the worst of its items), the reddest first. Three grouped queries.
    """
    paced = annotate_pace(items.with_state(today), today, thresholds)
    total = _by_light(paced).get(
        (), {"lights": dict.fromkeys(LIGHTS, 0), "total": 0, "light": Light.NONE}
    )
    units = list(
        _by_light(_unit_owners(paced), distinct=True, unit_id=F("owners__unit_id")).values()
    )
    _name_units(units)
    leaders = list(
        _by_light(
            paced.filter(people__role=ItemPerson.Role.LEADER), leader=F("people__name")
        ).values()
    )
    return {
        "total": total,
        "units": sorted(units, key=_most_red("unit")),
        "leaders": sorted(leaders, key=_most_red("leader")),
    }


def grades_by_unit(items):
    """Per unit: how many of its graded items got A, B, C and D."""
    rows = (
        _unit_owners(items)
        .exclude(grade="")
        .values("grade", unit_id=F("owners__unit_id"))
        .annotate(n=Count("id", distinct=True))
    )
    units = {}
    for r in rows:
        unit = units.setdefault(
            r["unit_id"], {"unit_id": r["unit_id"], "total": 0, "grades": dict.fromkeys(GRADES, 0)}
        )
        unit["grades"][r["grade"]] += r["n"]
        unit["total"] += r["n"]
    return sorted(
        _name_units(list(units.values())),
        key=lambda u: (-u["grades"]["D"], -u["grades"]["C"], -u["total"], u["unit"]),
    )
