"""The plain table behind each chart (for screen readers and for copying into reports).

Pure functions from the same data the figures get; a cell is text or a Cell with a link.
"""

import datetime
from dataclasses import dataclass, field
from html import escape

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dashboards.figures import (
    GRADE_COLORS,
    STATE_COLORS,
    STATE_ORDER,
    state_label,
)
from tracker.lib.dates import format_date
from tracker.models import LIGHT_COLORS, LIGHT_ORDER, Item, Light

# A long table (every unit, every leader) shows this many rows a page.
TABLE_ROWS = 50


def page_of(rows, query, param, per_page=TABLE_ROWS):
    """(the rows of the page named by `param` in the query, its pager or None)."""
    total = len(rows)
    if total <= per_page:
        return rows, None
    pages = (total + per_page - 1) // per_page
    try:
        number = min(max(int(query.get(param, 1)), 1), pages)
    except ValueError:
        number = 1
    shown = rows[(number - 1) * per_page : number * per_page]

    def url(n):
        kept = query.copy()
        kept[param] = n
        return "?" + kept.urlencode()

    return shown, {
        "number": number,
        "pages": pages,
        "total": total,
        "first": (number - 1) * per_page + 1,
        "last": (number - 1) * per_page + len(shown),
        "previous": url(number - 1) if number > 1 else "",
        "next": url(number + 1) if number < pages else "",
    }


@dataclass
class Cell:
    text: object
    url: str = ""
    color: str = ""  # a swatch before the text, in the colour the charts use

    def __html__(self):
        # The standard library's escape: Django's, lazy-aware, costs more over thousands of cells.
        swatch = (
            f'<span class="swatch" style="background:{escape(self.color)}"></span>'
            if self.color
            else ""
        )
        text = escape(str(self.text))
        return swatch + (f'<a href="{escape(self.url)}">{text}</a>' if self.url else text)

    def __str__(self):  # templates call str() before escaping
        return mark_safe(self.__html__())  # noqa: S308 (escaped above)


@dataclass
class Table:
    caption: str
    headers: list
    rows: list = field(default_factory=list)
    numeric_from: int = 1  # columns from this one on are right-aligned numbers
    # Set by paginate(): the page shown of a long table and the links to the others.
    pager: dict | None = None

    def __post_init__(self):
        self.headers = [_cell(h) for h in self.headers]
        self.rows = [[_cell(v) for v in row] for row in self.rows]

    @property
    def total_rows(self):
        return self.pager["total"] if self.pager else len(self.rows)

    def paginate(self, query, param, per_page=TABLE_ROWS):
        """Keep one page of `per_page` rows, the page named by `param` in the query (a
        QueryDict); the pager links keep the rest of the query. A page stays small at any
        size: the charts show the most urgent rows and the workbook (导出) has them all."""
        self.rows, self.pager = page_of(self.rows, query, param, per_page)
        return self

    def __html__(self):
        """The <table>, built in Python: a template loop over thousands of cells is slow."""

        def num(i):
            return ' class="num"' if i >= self.numeric_from else ""

        head = "".join(
            f'<th scope="col"{num(i)}>{h.__html__()}</th>' for i, h in enumerate(self.headers)
        )
        body = "\n".join(
            "<tr>"
            + "".join(
                f'<th scope="row">{c.__html__()}</th>'
                if i == 0
                else f"<td{num(i)}>{c.__html__()}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in self.rows
        ) or (
            f'<tr><td colspan="{len(self.headers)}">'
            f"{conditional_escape(_('没有符合条件的事项。'))}</td></tr>"
        )
        return mark_safe(  # noqa: S308 (every part above is escaped)
            f"<table><caption>{conditional_escape(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    __str__ = __html__  # templates call str() before escaping


def _cell(value):
    return value if isinstance(value, Cell) else Cell("—" if value is None else value)


def _date(value):
    return format_date(value) if value else "—"


def _percent(part, whole):
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _state_cells(states, link=None, **key):
    return [
        Cell(states[s], link(**key, state=s) if link and states[s] else "") for s in STATE_ORDER
    ]


def _state(state):
    return Cell(state_label(state), color=STATE_COLORS[state])


def state_headers():
    return [_state(s) for s in STATE_ORDER]


def key_figures(figures, link):
    states = figures["states"]
    return Table(
        _("状态分布"),
        [_("状态"), _("事项数"), _("占比")],
        [
            [_state(s), Cell(states[s], link(state=s)), _percent(states[s], figures["total"])]
            for s in STATE_ORDER
        ]
        + [[_("合计"), Cell(figures["total"], link()), "100%" if figures["total"] else "—"]],
    )


def late_items(rows, link_item):
    def late(r):
        if r["days_late"]:
            text = _("逾期 %(days)s 天") % {"days": r["days_late"]}
            return text + (_("（节点）") if r["milestone"] else "")
        return _("落后序时进度 %(points)s 个百分点") % {"points": r["behind"]}

    def report(r):
        if not r["report_on"]:
            return _("尚无进展报告")
        text = r["report_text"] or ""
        return f"{_date(timezone.localtime(r['report_on']).date())} {text[:60]}{'…' if len(text) > 60 else ''}"

    return Table(
        _("红灯与逾期事项"),
        [
            _("事项"),
            _("牵头单位"),
            _("责任领导"),
            _("完成时限"),
            _("逾期或落后"),
            _("进度"),
            _("最新进展"),
        ],
        [
            [
                Cell(f"{r['ref']} {r['text'][:80]}".strip(), link_item(r["id"])),
                r["lead_unit"] or "—",
                r["leader"] or "—",
                _date(r["next_due"]),
                Cell(late(r), color=LIGHT_COLORS[Light.RED]),
                f"{r['percent']}%",
                report(r),
            ]
            for r in rows
        ],
        numeric_from=99,
    )


def trend(points):
    return Table(
        _("完成进度趋势（累计）"),
        [_("截至"), _("计划应完成"), _("实际已完成"), _("完成率")],
        [
            [
                _date(p["end"]),
                p["due"],
                "—" if p["future"] else p["done"],
                "—" if p["future"] else _percent(p["done"], p["due"]),
            ]
            for p in points
        ],
    )


def by_unit(rows, link):
    return Table(
        _("各单位事项状态（按逾期数排序）"),
        [_("单位"), _("合计"), *state_headers(), _("完成率")],
        [
            [
                r["unit"],
                Cell(r["total"], link(lead=r["unit_id"])),
                *_state_cells(r["states"], link, lead=r["unit_id"]),
                _percent(r["states"][Item.State.DONE], r["total"]),
            ]
            for r in rows
        ],
    )


def by_leader(rows, link):
    def units(r):
        names = "、".join(f"{u['unit']}({u['n']})" for u in r["units"])
        more = r["unit_count"] - len(r["units"])
        return names + (_("等%(n)s个单位") % {"n": r["unit_count"]} if more > 0 else "")

    return Table(
        _("责任领导分管事项"),
        [_("责任领导"), _("牵头单位(事项数)"), _("合计"), *state_headers(), _("完成率")],
        [
            [
                r["leader"],
                units(r),
                Cell(r["total"], link(leader=r["leader"])),
                *_state_cells(r["states"], link, leader=r["leader"]),
                _percent(r["states"][Item.State.DONE], r["total"]),
            ]
            for r in rows
        ],
        numeric_from=2,
    )


def by_document(rows, link):
    return Table(
        _("各文档任务进展"),
        [_("文档"), _("文号"), _("成文日期"), _("合计"), *state_headers(), _("完成率")],
        [
            [
                r["title"],
                r["doc_number"] or "—",
                _date(r["signed_on"]),
                Cell(r["total"], link(document=r["document_id"])),
                *_state_cells(r["states"], link, document=r["document_id"]),
                f"{r['completion_rate']}%",
            ]
            for r in rows
        ],
        numeric_from=3,
    )


def by_week(days):
    """The calendar heat map's numbers, a row per week (Monday to Sunday) with items due."""
    weeks = {}
    for d in days:
        monday = d["date"] - datetime.timedelta(days=d["date"].weekday())
        week = weeks.setdefault(monday, {"n": 0, "overdue": 0})
        week["n"] += d["n"]
        week["overdue"] += d["overdue"]
    return Table(
        _("各周到期事项"),
        [_("周（周一至周日）"), _("到期"), _("其中逾期")],
        [
            [f"{_date(monday)}—{_date(monday + datetime.timedelta(days=6))}", w["n"], w["overdue"]]
            for monday, w in sorted(weeks.items())
        ],
    )


def by_month(months, link=None, span=None):
    def cells(m):
        if link is None:
            return [m["total"], *_state_cells(m["states"])]
        first, last = (d.isoformat() for d in span(m))
        return [
            Cell(m["total"], link(due_from=first, due_to=last)),
            *_state_cells(m["states"], link, due_from=first, due_to=last),
        ]

    return Table(
        _("各月到期事项"),
        [_("月份"), _("合计"), *state_headers()],
        [[_("%(month)s月") % {"month": m["date"].month}, *cells(m)] for m in months],
    )


def coming_items(items, link_item):
    return Table(
        _("未来30天到期事项"),
        [_("完成时限"), _("编号"), _("事项"), _("牵头单位"), _("状态"), _("进度")],
        [
            [
                _date(i["due_date"]),
                i["ref"],
                Cell(i["text"], link_item(i["id"])),
                i["lead_unit"] or "—",
                _state(i["state"]),
                f"{i['percent']}%",
            ]
            for i in items
        ],
        numeric_from=5,
    )


def project_categories(rows, link, key):
    return Table(
        _("重点项目分类进展"),
        [_("类别"), _("合计"), *state_headers()],
        [
            [
                r["category"] or _("未分类"),
                Cell(r["total"], link(**key(r))),
                *_state_cells(r["states"], link, **key(r)),
            ]
            for r in rows
        ],
    )


def projects(rows, link_item):
    return Table(
        _("重点项目时间表"),
        [
            _("类别"),
            _("项目"),
            _("牵头单位"),
            _("开始"),
            _("完成时限"),
            _("节点"),
            _("状态"),
            _("进度"),
        ],
        [
            [
                p["category"] or _("未分类"),
                Cell(f"{p['ref']} {p['text']}", link_item(p["id"])),
                p["lead_unit"] or "—",
                _date(p["start"]),
                _date(p["due_date"]),
                "；".join(
                    f"{m['what'] or m['expr']} {_date(m['date'])}" + ("✓" if m["done_at"] else "")
                    for m in p["milestones"]
                )
                or "—",
                _state(p["state"]),
                f"{p['percent']}%",
            ]
            for p in rows
        ],
        numeric_from=7,
    )


def light_headers():
    return [Cell(Light(light).label, color=LIGHT_COLORS[light]) for light in LIGHT_ORDER]


def pace_lights(rows, link, caption, name, label, key):
    """Units or leaders with their count of items per 序时进度 light, and their own light."""
    return Table(
        caption,
        [label, _("序时进度"), _("合计"), *light_headers()],
        [
            [
                r[name],
                Cell(Light(r["light"]).label, color=LIGHT_COLORS[r["light"]]),
                Cell(r["total"], link(**key(r))),
                *[
                    Cell(
                        r["lights"][light],
                        link(**key(r), light=light) if r["lights"][light] else "",
                    )
                    for light in LIGHT_ORDER
                ],
            ]
            for r in rows
        ],
        numeric_from=2,
    )


def grades(units, link):
    return Table(
        _("各单位事项评定等次"),
        [
            _("单位"),
            _("已评定"),
            *[Cell(str(label), color=GRADE_COLORS[g]) for g, label in Item.Grade.choices],
            _("优良率"),
        ],
        [
            [
                Cell(u["unit"], link(unit=u["unit_id"])),
                u["total"],
                *[
                    Cell(u["grades"][g], link(unit=u["unit_id"], grade=g) if u["grades"][g] else "")
                    for g in GRADE_COLORS
                ],
                _percent(u["grades"]["A"] + u["grades"]["B"], u["total"]),
            ]
            for u in units
        ],
    )
