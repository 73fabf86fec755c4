"""Dashboard pages: scope and filter the items, ask queries.py, draw with figures.py."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from dashboards import figures, key_projects, queries, tables
from dashboards.cache import Figures
from tracker.models import LIGHT_COLORS, LIGHT_ORDER, Item, Light, PaceSettings
from tracker.tracking.filters import UNCLASSIFIED, ItemFilter

# The dashboards' filters; all carry over to the item list on drill-down.
FILTERS = ("year", "document", "unit", "leader", "tag")
SHARED_PARAMS = ("year", "document", "unit", "leader", "tag", "category", "level", "county")

PAGES = [
    ("dashboards:overview", gettext_lazy("总览")),
    ("dashboards:units", gettext_lazy("按单位")),
    ("dashboards:leaders", gettext_lazy("按领导")),
    ("dashboards:documents", gettext_lazy("按文档")),
    ("dashboards:calendar", gettext_lazy("到期日历")),
    ("dashboards:projects", gettext_lazy("重点项目")),
    ("dashboards:lights", gettext_lazy("红绿灯")),
]
# Charts with many bars show the most urgent ones; their tables list all.
CHART_ROWS = 30


def item_list_link(shared):
    """link(**params): the item list filtered by the page's filters plus params."""
    base = reverse("item_list")
    # Tables and charts ask for thousands of links: the page's own part is encoded once.
    prefix = f"{base}?{urlencode(shared)}&" if shared else f"{base}?"

    def link(**params):
        given = {k: v for k, v in params.items() if v is not None}
        if not given:
            return f"{base}?{urlencode(shared)}" if shared else base
        if shared.keys() & given.keys():  # a param replaces the page's filter
            return f"{base}?{urlencode({**shared, **given})}"
        return prefix + urlencode(given)

    return link


def item_link(item_id):
    return reverse("item_detail", args=[item_id])


def figure_json(fig):
    """A figure as JSON safe to embed in a <script type="application/json"> element."""
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart(name, title, fig, table, note="", data=None):
    data = figure_json(fig) if data is None else data
    return {"id": f"chart-{name}", "title": title, "json": data, "table": table, "note": note}


class Page:
    """What every dashboard page starts from: the filter form and the items it selects."""

    def __init__(self, request):
        self.today = timezone.localdate()
        self.form = ItemFilter(request.GET or None, user=request.user, today=self.today)
        self.selected = self.form.selected()
        self.items = self.form.qs
        self.link = item_list_link(self.form.params(SHARED_PARAMS))
        self.year = int(self.selected.get("year", self.today.year))
        # Each query's result, kept until the data changes (dashboards/cache.py).
        self.figures = Figures(request.user, request.GET.lists(), self.today)
        self.query = request.GET
        self.pagers = {}

    def chart(self, name, title, build, table, note=""):
        """chart() with the figure built by build() only when its JSON is not kept already
        (building a Plotly figure is most of a page's CPU time)."""
        data = self.figures(f"figure:{name}", lambda: figure_json(build()), extra=(get_language(),))
        return chart(name, title, None, table, note, data=data)

    def rows(self, name, rows):
        """The page of `rows` the table of chart `name` shows (?chart-NAME-page=N): a table's
        cells (a link each) are built for the rows shown only."""
        shown, pager = tables.page_of(rows, self.query, f"chart-{name}-page")
        self.pagers[f"chart-{name}"] = pager
        return shown

    def render(self, request, template, **context):
        for c in context.get("charts", []):
            if c["table"] is not None:  # long tables a page at a time (payload < 200 KB)
                if c["id"] in self.pagers:
                    c["table"].pager = self.pagers[c["id"]]
                else:
                    c["table"].paginate(request.GET, f"{c['id']}-page")
        context.update(
            filterset=self.form,
            filters=list(self.form.rendered(FILTERS)),
            pages=PAGES,
            today=self.today,
            year=self.year,
            state_colors=[
                (s, figures.state_label(s), figures.STATE_COLORS[s]) for s in figures.STATE_ORDER
            ],
            filtered=bool(self.selected),
        )
        return render(request, f"dashboards/{template}", context)


def _limited(rows, limit=CHART_ROWS):
    if len(rows) <= limit:
        return rows, ""
    return rows[:limit], _("图中显示前 %(shown)s 个（共 %(total)s 个），完整数据见下表。") % {
        "shown": limit,
        "total": len(rows),
    }


@login_required
def overview(request):
    page = Page(request)
    key = page.figures("key", queries.key_figures, page.items, page.today)
    weekly = "year" in page.selected
    trend = page.figures("trend", queries.completion_trend, page.items, page.today, weekly)
    cards = [("total", _("督办事项"), key["total"], page.link())] + [
        (s, figures.state_label(s), key["states"][s], page.link(state=s))
        for s in figures.STATE_ORDER
    ]
    charts = [
        page.chart(
            "trend",
            _("完成进度：计划与实际（累计）"),
            lambda: figures.completion_trend(trend, page.today),
            tables.trend(trend),
            _("虚线：截至当时应完成（已到期）的事项数；实线：实际已完成的事项数。"),
        ),
        page.chart(
            "states",
            _("事项状态分布"),
            lambda: figures.state_donut(key["states"], page.link),
            tables.key_figures(key, page.link),
            _("点击扇区查看对应事项。"),
        ),
    ]
    thresholds = PaceSettings.load()
    late = page.figures(
        "late",
        queries.late_items,
        page.items,
        page.today,
        thresholds,
        extra=(thresholds.yellow_points, thresholds.red_points),
    )
    return page.render(
        request,
        "overview.html",
        key=key,
        cards=cards,
        charts=charts,
        late=late,
        late_table=tables.late_items(late["items"], item_link),
        late_link=page.link(light=Light.RED),
    )


@login_required
def by_unit(request):
    page = Page(request)
    rows = page.figures("units", queries.states_by_unit, page.items, page.today)
    for row in rows:
        if row["unlinked"]:
            row["unit"] = _("未对应单位")
        elif row["group_id"]:
            row["unit"] = _("%(name)s（单位组）") % {"name": row["unit"]}
    shown, note = _limited(rows)

    def unit_link(**params):  # a group or 未对应单位 row has no unit filter to open
        return page.link(**params) if params.get("lead") else ""

    # Each item counts under its lead owner: the list opens with lead=, the same rule.
    def fig():
        return figures.stacked_states(
            shown, label=lambda r: r["unit"], link=unit_link, key=lambda r: {"lead": r["unit_id"]}
        )

    charts = [
        page.chart(
            "units",
            _("各单位事项状态（逾期最多的在上）"),
            fig,
            tables.by_unit(page.rows("units", rows), unit_link),
            " ".join(filter(None, [_("点击色块查看该单位该状态的事项。"), note])),
        )
    ]
    return page.render(request, "charts.html", title=_("按单位"), charts=charts, rows=rows)


@login_required
def by_leader(request):
    page = Page(request)
    rows = page.figures("leaders", queries.leader_portfolios, page.items, page.today)
    shown, note = _limited(rows)

    def fig():
        return figures.stacked_states(
            shown,
            label=lambda r: r["leader"],
            link=page.link,
            key=lambda r: {"leader": r["leader"]},
        )

    charts = [
        page.chart(
            "leaders",
            _("责任领导分管事项（逾期最多的在上）"),
            fig,
            tables.by_leader(page.rows("leaders", rows), page.link),
            " ".join(filter(None, [_("点击色块查看该领导该状态的事项。"), note])),
        )
    ]
    return page.render(request, "charts.html", title=_("按领导"), charts=charts, rows=rows)


@login_required
def by_document(request):
    page = Page(request)
    rows = page.figures("documents", queries.states_by_document, page.items, page.today)
    shown, note = _limited(rows)

    def fig():
        return figures.stacked_states(
            shown,
            label=lambda r: figures.short_title(r["title"]),
            link=page.link,
            key=lambda r: {"document": r["document_id"]},
        )

    charts = [
        page.chart(
            "documents",
            _("各文档任务进展"),
            fig,
            tables.by_document(page.rows("documents", rows), page.link),
            " ".join(filter(None, [_("点击色块查看该文档该状态的事项。"), note])),
        )
    ]
    return page.render(request, "charts.html", title=_("按文档"), charts=charts, rows=rows)


def month_span(row):
    return row["date"], queries.month_end(row["date"])


@login_required
def due_calendar(request):
    page = Page(request)
    days = page.figures("days", queries.due_by_day, page.items, page.today, page.year)
    months = page.figures("months", queries.due_by_month, page.items, page.today, page.year)
    coming = page.figures("coming", queries.coming_due, page.items, page.today)
    month_rows = [{"date": m["month"], **m} for m in months]
    day_rows = [{"date": d["date"], **d} for d in coming["days"]]
    charts = [
        page.chart(
            "calendar",
            _("%(year)s年到期日历（蓝：到期事项数，红：其中逾期）") % {"year": page.year},
            lambda: figures.due_calendar(days, page.year, page.today, page.link),
            tables.by_week(days),
            _("点击日期查看当日到期（红色：其中逾期）的事项。"),
        ),
        page.chart(
            "months",
            _("%(year)s年各月到期事项") % {"year": page.year},
            lambda: figures.stacked_by_period(
                month_rows, "%-m月", dtick="M1", link=page.link, span=month_span
            ),
            tables.by_month(month_rows, page.link, month_span),
            _("点击色块查看该月该状态的事项。"),
        ),
        page.chart(
            "coming",
            _("未来30天每日到期"),
            lambda: figures.stacked_by_period(
                day_rows, "%-m月%-d日", link=page.link, span=lambda d: (d["date"], d["date"])
            ),
            tables.coming_items(page.rows("coming", coming["items"]), item_link),
            _("点击色块查看当日该状态的事项；下表列出未来30天到期的事项（最多200项）。"),
        ),
    ]
    return page.render(request, "charts.html", title=_("到期日历"), charts=charts)


def category_key(row):
    return {"kind": Item.Kind.PROJECT, "category": row["category"] or UNCLASSIFIED}


@login_required
def projects(request):
    page = Page(request)
    categories = page.figures(
        "categories", key_projects.projects_by_category, page.items, page.today
    )
    listing = key_projects.project_page(
        page.items, page.today, PaceSettings.load(), request.GET.get("page")
    )
    timeline = key_projects.project_timeline(
        page.items, page.today, ids=[r["id"] for r in listing["rows"]]
    )
    choices = page.figures("project_choices", key_projects.project_choices, page.items)
    query = request.GET.copy()
    query.pop("page", None)
    charts = [
        page.chart(
            "categories",
            _("重点项目分类进展"),
            lambda: figures.stacked_states(
                categories,
                label=lambda r: r["category"] or _("未分类"),
                link=page.link,
                key=category_key,
            ),
            tables.project_categories(categories, page.link, category_key),
            _("点击色块查看该类别该状态的项目。"),
        ),
    ]
    gantt = chart(
        "gantt",
        _("本页项目时间表（◆ 节点）"),
        figures.project_gantt(timeline["projects"], page.today, item_link),
        None,
        _("点击横条查看项目。"),
    )
    project_filters = [
        (name, label, [(v, v) for v in choices[name]], request.GET.get(name, ""))
        for name, label in (
            ("category", _("项目类别")),
            ("level", _("层级")),
            ("county", _("建设地点")),
        )
    ]
    kept = [
        (k, v) for k, v in request.GET.items() if k not in ("category", "level", "county", "page")
    ]
    return page.render(
        request,
        "projects.html",
        title=_("重点项目"),
        charts=charts,
        rows=categories,
        listing=listing,
        gantt=gantt,
        project_filters=project_filters,
        kept=kept,
        query=query.urlencode(),
        light_colors=LIGHT_COLORS,
    )


@login_required
def lights(request):
    page = Page(request)
    thresholds = PaceSettings.load()
    paced = page.figures(
        "lights",
        queries.pace_lights,
        page.items,
        page.today,
        thresholds,
        extra=(thresholds.yellow_points, thresholds.red_points),
    )
    grades = page.figures("grades", queries.grades_by_unit, page.items)
    units, unit_note = _limited(paced["units"])
    leaders, leader_note = _limited(paced["leaders"])
    shown_grades, grade_note = _limited(grades)
    rule = _(
        "序时进度＝从立项（或导入）到完成时限已过去的时间占比；落后不少于%(yellow)s个百分点为黄灯，"
        "超过%(red)s个百分点为红灯，已逾期一律红灯，已完成为绿灯。单位、领导的灯取其事项中最差的一项。"
    ) % {"yellow": thresholds.yellow_points, "red": thresholds.red_points}
    total = paced["total"]
    cards = [("total", _("督办事项"), total["total"], page.link(), "")] + [
        (
            light,
            Light(light).label,
            total["lights"][light],
            page.link(light=light),
            LIGHT_COLORS[light],
        )
        for light in LIGHT_ORDER
    ]
    charts = [
        page.chart(
            "light-units",
            _("各单位序时进度红绿灯（红灯最多的在上）"),
            lambda: figures.stacked_lights(
                units,
                label=lambda r: r["unit"],
                link=page.link,
                key=lambda r: {"unit": r["unit_id"]},
            ),
            tables.pace_lights(
                page.rows("light-units", paced["units"]),
                page.link,
                _("各单位序时进度"),
                "unit",
                _("单位"),
                lambda r: {"unit": r["unit_id"]},
            ),
            " ".join(filter(None, [_("点击色块查看该单位该灯色的事项。"), unit_note])),
        ),
        page.chart(
            "light-leaders",
            _("各责任领导序时进度红绿灯"),
            lambda: figures.stacked_lights(
                leaders,
                label=lambda r: r["leader"],
                link=page.link,
                key=lambda r: {"leader": r["leader"]},
            ),
            tables.pace_lights(
                page.rows("light-leaders", paced["leaders"]),
                page.link,
                _("各责任领导序时进度"),
                "leader",
                _("责任领导"),
                lambda r: {"leader": r["leader"]},
            ),
            " ".join(filter(None, [_("点击色块查看该领导该灯色的事项。"), leader_note])),
        ),
        page.chart(
            "grades",
            _("各单位评定等次"),
            lambda: figures.grade_bars(shown_grades, link=page.link),
            tables.grades(page.rows("grades", grades), page.link),
            " ".join(filter(None, [_("点击色块查看该单位该等次的事项。"), grade_note])),
        ),
    ]
    return page.render(
        request, "lights.html", title=_("红绿灯"), charts=charts, cards=cards, rule=rule
    )
