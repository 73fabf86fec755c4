"""Plotly figures built on the server: pure functions from the plain data of queries.py.

Colours are defined here once and mean the same thing on every chart. Drill-down links come
in as a `link(**params)` function and travel in each point's customdata; dashboards.js opens
them on click.

plotly.js reads labels, texts and hover texts as a small HTML dialect (<a href>, <b>, <br>…)
and decodes entities. Every text that comes from the data (unit, leader and document names,
categories, item texts, milestones) passes through `plain()` on its way into a figure, so
markup in a name is shown as written, never as a link; only the templates written here carry
tags (<br>, <extra>).
"""

import datetime

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker.models import LIGHT_COLORS, LIGHT_ORDER, Item, Light

STATE_COLORS = {
    Item.State.OVERDUE: "#c53030",
    Item.State.AT_RISK: "#c05621",
    Item.State.ON_TRACK: "#2b6cb0",
    Item.State.UNDATED: "#9aa5b1",
    Item.State.DONE: "#2f855a",
}
# Stacks read left to right from the most urgent.
STATE_ORDER = [
    Item.State.OVERDUE,
    Item.State.AT_RISK,
    Item.State.ON_TRACK,
    Item.State.UNDATED,
    Item.State.DONE,
]
GRADE_COLORS = {"A": "#2f855a", "B": "#68a063", "C": "#d69e2e", "D": "#c53030"}
FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)
BAR_ROW_PX = 26
# d3 date formats of the axes and tooltips: Chinese, or day-month-year in other languages.
D3_OTHER = {
    "%Y年%-m月": "%b %Y",
    "%Y年%-m月%-d日": "%-d %b %Y",
    "%-m月": "%b",
    "%-m月%-d日": "%-d %b",
}


def d3(chinese):
    """A Chinese d3 date format, or its counterpart when the reader is not reading Chinese."""
    return chinese if (get_language() or "zh").startswith("zh") else D3_OTHER[chinese]


def state_label(state):
    return str(Item.State(state).label)


def _layout(fig, height, **extra):
    layout = {
        "font": {"family": FONT_FAMILY, "size": 13, "color": "#1f2933"},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 40, "b": 40},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 0,
            "traceorder": "normal",
        },
        "separators": ".,",
    }
    fig.update_layout(**{**layout, **extra})
    fig.update_xaxes(gridcolor="#e4e7eb", zerolinecolor="#cbd2d9", automargin=True)
    fig.update_yaxes(gridcolor="#e4e7eb", zerolinecolor="#cbd2d9", automargin=True)
    return fig


def plain(text):
    """Data text for a plotly label or hover text: shown as written (`<` is `&lt;`)."""
    return str(escape(text))


def _short(text, size=18):
    return text if len(text) <= size else text[: size - 1] + "…"


def short_title(title):
    """A document's bar label: 关于印发X的通知 → X, shortened."""
    core = title.removeprefix("关于").removeprefix("印发").removesuffix("的通知")
    return _short(core or title, 20)


def _integer_axis(fig, values, axis="y"):
    """Counts are whole numbers: no 0.5 ticks when the numbers are small."""
    if max(values, default=0) <= 10:
        fig.update_layout({f"{axis}axis": {"dtick": 1, "tick0": 0}})


def stacked_states(rows, label, link=None, key=None):
    """Horizontal bars, one per row, stacked by state; rows come most urgent first.

    `label(row)` names a bar, `key(row)` gives the drill-down parameters for link().
    """
    rows = list(reversed(rows))  # plotly draws the first category at the bottom
    labels = [plain(label(r)) for r in rows]
    fig = go.Figure()
    for state in STATE_ORDER:
        fig.add_trace(
            go.Bar(
                name=state_label(state),
                orientation="h",
                y=labels,
                x=[r["states"][state] for r in rows],
                marker_color=STATE_COLORS[state],
                customdata=[link(**key(r), state=state) if link else "" for r in rows],
                hovertemplate="%{y}<br>" + state_label(state) + _("：") + "%{x}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_yaxes(type="category")
    _integer_axis(fig, [sum(r["states"].values()) for r in rows], "x")
    return _layout(fig, 90 + BAR_ROW_PX * max(len(rows), 3))


def state_donut(states, link):
    present = [s for s in STATE_ORDER if states[s]]
    fig = go.Figure(
        go.Pie(
            labels=[state_label(s) for s in present],
            values=[states[s] for s in present],
            marker={"colors": [STATE_COLORS[s] for s in present]},
            hole=0.55,
            sort=False,
            direction="clockwise",
            customdata=[link(state=s) for s in present],
            textinfo="label+percent",
            hovertemplate="%{label}" + _("：") + "%{value}<extra></extra>",
        )
    )
    return _layout(fig, 320, showlegend=False)


def completion_trend(points, today):
    """Cumulative plan (items due by each date) against items done by it."""
    periods = [p["end"] for p in points]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            name=_("计划应完成(累计到期)"),
            x=periods,
            y=[p["due"] for p in points],
            mode="lines",
            line={"color": STATE_COLORS[Item.State.ON_TRACK], "dash": "dash", "width": 2},
        )
    )
    done = [p for p in points if not p["future"]]
    fig.add_trace(
        go.Scatter(
            name=_("实际已完成(累计)"),
            x=[min(p["end"], today) for p in done],
            y=[p["done"] for p in done],
            mode="lines",
            line={"color": STATE_COLORS[Item.State.DONE], "width": 3},
            fill="tozeroy",
            fillcolor="rgba(47,133,90,0.12)",
        )
    )
    fig.add_vline(x=today.isoformat(), line={"color": "#616e7c", "dash": "dot", "width": 1})
    fig.add_annotation(
        x=today.isoformat(),
        y=1,
        yref="paper",
        text=_("今天"),
        showarrow=False,
        yanchor="bottom",
        font={"color": "#616e7c"},
    )
    fig.update_xaxes(tickformat=d3("%Y年%-m月"), hoverformat=d3("%Y年%-m月%-d日"))
    fig.update_layout(hovermode="x unified")
    return _layout(fig, 360)


def due_calendar(days, year, today, link=None):
    """A year as a heat map: weeks across, weekdays down; overdue days drawn in red."""
    first = datetime.date(year, 1, 1)
    start = first - datetime.timedelta(days=first.weekday())
    weeks = (datetime.date(year, 12, 31) - start).days // 7 + 1
    weekday_names = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
    counts = {d["date"]: d for d in days}
    z_due, z_overdue, text, urls, urls_overdue = (
        [[None] * weeks for _day in range(7)] for _grid in range(5)
    )
    for week in range(weeks):
        for wd in range(7):
            day = start + datetime.timedelta(days=7 * week + wd)
            if day.year != year:
                continue
            entry = counts.get(day, {"n": 0, "overdue": 0})
            z_due[wd][week] = entry["n"]
            if link and entry["n"]:
                urls[wd][week] = link(due_from=day.isoformat(), due_to=day.isoformat())
            if entry["overdue"]:
                z_overdue[wd][week] = entry["overdue"]
                if link:
                    urls_overdue[wd][week] = link(
                        due_from=day.isoformat(), due_to=day.isoformat(), state="overdue"
                    )
            text[wd][week] = _("%(date)s：到期 %(n)s 项，逾期 %(overdue)s 项") % {
                "date": f"{day.month}月{day.day}日",
                "n": entry["n"],
                "overdue": entry["overdue"],
            }
    x = [(start + datetime.timedelta(days=7 * w)).isoformat() for w in range(weeks)]
    busy = sorted(d["n"] for d in days)
    # The 95th percentile tops the scale: one busy year-end day must not wash out the rest.
    zmax = max(1, busy[int(0.95 * (len(busy) - 1))]) if busy else 1
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            name=_("到期事项"),
            x=x,
            y=weekday_names,
            z=z_due,
            text=text,
            hoverinfo="text",
            customdata=urls,
            zmin=0,
            zmax=zmax,
            colorscale=[[0, "#f0f4f8"], [0.001, "#dbe9f6"], [1, STATE_COLORS[Item.State.ON_TRACK]]],
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": _("到期")}, "x": 1.0, "len": 0.9},
        )
    )
    fig.add_trace(
        go.Heatmap(
            name=_("逾期事项"),
            x=x,
            y=weekday_names,
            z=z_overdue,
            text=text,
            hoverinfo="text",
            customdata=urls_overdue,
            colorscale=[[0, "#feb2b2"], [1, STATE_COLORS[Item.State.OVERDUE]]],
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": _("逾期")}, "x": 1.08, "len": 0.9},
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat="%-m月", dtick="M1", ticklabelmode="period", showgrid=False)
    return _layout(fig, 300, margin={"l": 10, "r": 90, "t": 20, "b": 30})


def stacked_by_period(periods, x_label_format, dtick=None, link=None, span=None):
    """Vertical bars per period (month or day), stacked by state; span(period) gives the
    (first, last) due dates a bar counts, for its drill-down link."""
    fig = go.Figure()
    x = [p["date"].isoformat() for p in periods]
    for state in STATE_ORDER:
        fig.add_trace(
            go.Bar(
                name=state_label(state),
                x=x,
                y=[p["states"][state] for p in periods],
                marker_color=STATE_COLORS[state],
                customdata=[
                    link(
                        due_from=span(p)[0].isoformat(), due_to=span(p)[1].isoformat(), state=state
                    )
                    if link and p["states"][state]
                    else ""
                    for p in periods
                ],
                hovertemplate="%{x}<br>" + state_label(state) + _("：") + "%{y}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=d3(x_label_format), hoverformat=d3("%Y年%-m月%-d日"), dtick=dtick)
    _integer_axis(fig, [sum(p["states"].values()) for p in periods])
    return _layout(fig, 340)


def project_gantt(projects, today, link_item=None):
    """Bars from start to due date, coloured by state, grouped by category; milestones as ◆."""
    y = [
        [plain(p["category"] or _("未分类")) for p in projects],
        [plain(_short(f"{p['ref']} {p['text']}", 22)) for p in projects],
    ]
    fig = go.Figure()
    for state in STATE_ORDER:
        chosen = [i for i, p in enumerate(projects) if p["state"] == state and p["due_date"]]
        if not chosen:
            continue
        fig.add_trace(
            go.Bar(
                name=state_label(state),
                orientation="h",
                y=[[y[0][i] for i in chosen], [y[1][i] for i in chosen]],
                base=[projects[i]["bar_start"].isoformat() for i in chosen],
                x=[
                    max(1, (projects[i]["bar_end"] - projects[i]["bar_start"]).days) * 86_400_000
                    for i in chosen
                ],
                marker_color=STATE_COLORS[state],
                customdata=[
                    [
                        plain(projects[i]["text"]),
                        plain(projects[i]["lead_unit"] or ""),
                        projects[i]["due_date"].isoformat(),
                        projects[i]["percent"],
                        link_item(projects[i]["id"]) if link_item else "",
                    ]
                    for i in chosen
                ],
                hovertemplate=(
                    "%{customdata[0]}<br>"
                    + _("牵头单位")
                    + _("：")
                    + "%{customdata[1]}<br>"
                    + _("完成时限")
                    + _("：")
                    + "%{customdata[2]}<br>"
                    + _("进度")
                    + _("：")
                    + "%{customdata[3]}%<extra>"
                    + state_label(state)
                    + "</extra>"
                ),
            )
        )
    marks = [(i, m) for i, p in enumerate(projects) for m in p["milestones"]]
    if marks:
        fig.add_trace(
            go.Scatter(
                name=_("节点(已完成为实心)"),
                mode="markers",
                x=[m["at"].isoformat() for _i, m in marks],
                y=[[y[0][i] for i, _m in marks], [y[1][i] for i, _m in marks]],
                marker={
                    "symbol": ["diamond" if m["done_at"] else "diamond-open" for _i, m in marks],
                    "size": 11,
                    "color": "#1f2933",
                    "line": {"width": 1.5, "color": "#1f2933"},
                },
                text=[plain(m["what"] or m["expr"]) for _i, m in marks],
                customdata=[link_item(projects[i]["id"]) if link_item else "" for i, _m in marks],
                hovertemplate="%{text}"
                + _("：")
                + "%{x|"
                + d3("%Y年%-m月%-d日")
                + "}<extra></extra>",
            )
        )
    fig.add_vline(x=today.isoformat(), line={"color": "#616e7c", "dash": "dot", "width": 1})
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig.update_xaxes(type="date", tickformat=d3("%Y年%-m月"), side="top")
    fig.update_yaxes(autorange="reversed")
    return _layout(
        fig,
        110 + BAR_ROW_PX * max(len(projects), 3),
        margin={"l": 10, "r": 20, "t": 70, "b": 20},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top", "x": 0},
    )


def stacked_lights(rows, label, link=None, key=None):
    """Horizontal bars, one per unit or leader, stacked by 序时进度 light; reddest on top."""
    rows = list(reversed(rows))
    labels = [plain(label(r)) for r in rows]
    fig = go.Figure()
    for light in LIGHT_ORDER:
        name = str(Light(light).label)
        fig.add_trace(
            go.Bar(
                name=name,
                orientation="h",
                y=labels,
                x=[r["lights"][light] for r in rows],
                marker_color=LIGHT_COLORS[light],
                customdata=[link(**key(r), light=light) if link else "" for r in rows],
                hovertemplate="%{y}<br>" + name + _("：") + "%{x}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_yaxes(type="category")
    _integer_axis(fig, [r["total"] for r in rows], "x")
    return _layout(fig, 90 + BAR_ROW_PX * max(len(rows), 3))


def grade_bars(units, link=None):
    rows = list(reversed(units))
    labels = [plain(_short(u["unit"], 16)) for u in rows]
    fig = go.Figure()
    for grade, label in Item.Grade.choices:
        fig.add_trace(
            go.Bar(
                name=str(label),
                orientation="h",
                y=labels,
                x=[u["grades"][grade] for u in rows],
                marker_color=GRADE_COLORS[grade],
                customdata=[link(unit=u["unit_id"], grade=grade) if link else "" for u in rows],
                hovertemplate="%{y}<br>" + str(label) + _("：") + "%{x}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_yaxes(type="category")
    return _layout(fig, 90 + BAR_ROW_PX * max(len(rows), 3))
