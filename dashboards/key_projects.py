"""Key projects (重点项目): categories, the paged list with milestones, and the timeline.

The same state rule as every page (`ItemQuerySet.with_state`); queries are fixed in number.
"""

import datetime

from django.db.models import (
    CharField,
    F,
    Min,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import (
    Coalesce,
    NullIf,
)

from dashboards.queries import (
    STATES,
    _by_state,
    _lead_unit_name,
    _urgency,
    clip,
)
from tracker.models import (
    Deadline,
    Item,
    annotate_pace,
)


def _category():
    """A project's category: its section path in the document, else the 类别 column."""
    return Coalesce(
        NullIf(F("section"), Value("")), KT("fields__类别"), Value(""), output_field=CharField()
    )


def top_category(path):
    """'一、产业转型 / (一)高端装备制造产业链' → '一、产业转型'."""
    return (path or "").split(" / ")[0].strip()


NUMERALS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)}


def category_order(name):
    """Sort key: 二、… before 十、…, as the document numbers them; unnumbered ones last."""
    head = name.split("、", 1)[0] if "、" in name else ""
    if head and all(c in NUMERALS for c in head):
        if len(head) == 1:
            return (NUMERALS[head], name)
        tens = NUMERALS[head[0]] if head[0] != "十" else 1
        return (tens * 10 + (NUMERALS[head[-1]] if head[-1] != "十" else 0), name)
    return (1000, name)


def projects_by_category(items, today):
    groups = _by_state(
        items.filter(kind=Item.Kind.PROJECT).with_state(today).annotate(category=_category()),
        "category",
    )
    merged = {}
    for g in groups.values():
        entry = merged.setdefault(
            top_category(g["category"]), {"total": 0, "states": dict.fromkeys(STATES, 0)}
        )
        entry["total"] += g["total"]
        for state in STATES:
            entry["states"][state] += g["states"][state]
    return [{"category": name, **merged[name]} for name in sorted(merged, key=category_order)]


def project_timeline(items, today, limit=60, ids=None):
    """The most urgent projects (or those of `ids`) with their milestones, for a Gantt chart.

    Each project's bar runs from `bar_start` to `bar_end` and each milestone is drawn at
    `at`: its dates clipped to window(today), while `start`, `due_date` and `date` stay as
    stored for the table."""
    projects = items.filter(kind=Item.Kind.PROJECT).with_state(today)
    if ids is not None:
        projects = projects.filter(pk__in=ids)
    total = projects.count()
    rows = list(
        projects.annotate(
            category=_category(),
            urgency=_urgency(),
            lead_unit=_lead_unit_name(),
            first_date=Min("deadlines__date"),
        )
        .order_by("urgency", F("due_date").asc(nulls_last=True), "id")
        .values(
            "id",
            "ref",
            "text",
            "category",
            "state",
            "percent",
            "due_date",
            "created_at",
            "first_date",
            "lead_unit",
        )[:limit]
    )
    milestones = {}
    for m in (
        Deadline.objects.filter(
            item_id__in=[r["id"] for r in rows], date__isnull=False, kind=Deadline.Kind.MILESTONE
        )
        .values("item_id", "date", "what", "expr", "kind", "done_at")
        .order_by("date")
    ):
        milestones.setdefault(m["item_id"], []).append(m)
    for r in rows:
        r["category"] = top_category(r["category"])
        created = r.pop("created_at").date()
        r["start"] = min(d for d in (created, r.pop("first_date"), r["due_date"]) if d)
        r["bar_start"], r["bar_end"] = clip(r["start"], today), clip(r["due_date"], today)
        r["milestones"] = milestones.get(r["id"], [])
        for m in r["milestones"]:
            m["at"] = clip(m["date"], today)
    rows.sort(key=lambda r: (category_order(r["category"]), r["due_date"] or datetime.date.max))
    return {"total": total, "projects": rows}


PROJECTS_PER_PAGE = 20


def project_choices(items):
    """The categories, levels (层级) and counties (建设地点) the projects have: three small
    grouped queries for the projects page's filters."""
    projects = items.filter(kind=Item.Kind.PROJECT).order_by()
    categories = {
        top_category(c)
        for c in projects.annotate(c=_category()).values_list("c", flat=True).distinct()
    }
    levels, counties = (
        {
            v
            for v in projects.annotate(v=KT(f"fields__{key}"))
            .values_list("v", flat=True)
            .distinct()
            if v
        }
        for key in ("层级", "建设地点")
    )
    return {
        "category": sorted(categories, key=category_order),
        "level": sorted(levels),
        "county": sorted(counties),
    }


def project_page(items, today, thresholds, number):
    """One page of projects, a row each with its milestones, state and 序时进度 light, ordered
    by category (as the document numbers them within a page) and urgency. Fixed queries: the
    count, the page, its milestones."""
    from django.core.paginator import Paginator

    projects = annotate_pace(
        items.filter(kind=Item.Kind.PROJECT).with_state(today), today, thresholds
    )
    rows = (
        projects.annotate(
            category=_category(),
            urgency=_urgency(),
            lead_unit=_lead_unit_name(),
            level=KT("fields__层级"),
            county=KT("fields__建设地点"),
        )
        .order_by("category", "urgency", F("next_due").asc(nulls_last=True), "id")
        .values(
            "id",
            "ref",
            "text",
            "category",
            "state",
            "pace_light",
            "percent",
            "due_date",
            "next_due",
            "lead_unit",
            "level",
            "county",
        )
    )
    page = Paginator(rows, PROJECTS_PER_PAGE).get_page(number)
    shown = list(page.object_list)
    milestones = {}
    for m in (
        Deadline.objects.filter(item_id__in=[r["id"] for r in shown], date__isnull=False)
        .exclude(kind=Deadline.Kind.REPORT)
        .values("item_id", "date", "what", "expr", "kind", "done_at")
        .order_by("date")
    ):
        m["late"] = m["done_at"] is None and m["date"] < today
        milestones.setdefault(m["item_id"], []).append(m)
    groups = []
    for r in shown:
        r["category"] = top_category(r["category"])
        r["milestones"] = milestones.get(r["id"], [])
        if not groups or groups[-1]["category"] != r["category"]:
            groups.append({"category": r["category"], "projects": []})
        groups[-1]["projects"].append(r)
    return {"page": page, "groups": groups, "rows": shown}
