"""通报 and 年终考核: the figures equal independent counts from the database; the page, the A4
print view, Excel and Word; the monthly mail to leaders once; who may see them."""

import datetime
import io
from zoneinfo import ZoneInfo

import docx
import pytest
from django.db.models import F, Q
from django.urls import reverse
from openpyxl import load_workbook

from tests.smtpsink import Sink, smtp_sink
from tests.test_reminder_delivery import use_sink
from tracker.bulletin import figures, mailing
from tracker.models import AssessmentSettings, BulletinMail, Item, ItemOwner, Unit

pytestmark = pytest.mark.django_db
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
START, END = D(2026, 11, 1), D(2026, 11, 30)
TODAY = D(2026, 12, 4)
ACCOUNTABLE = [ItemOwner.Role.LEAD, ItemOwner.Role.RESPONSIBLE]


def done_at(day):
    return datetime.datetime(day.year, day.month, day.day, 16, tzinfo=SH)


@pytest.fixture
def data(make_item, units, users):
    fgj, jyj = units["fgj"], units["jyj"]
    fgj.leader = users["leader"]
    fgj.save()
    c = Item.Status.COMPLETED

    def item(text, unit, due, co=(), **fields):
        return make_item(text, lead=unit, co=co, due_date=due, **fields)

    return {
        "on_time": item(
            "按时办结",
            fgj,
            D(2026, 11, 10),
            status=c,
            percent=100,
            completed_at=done_at(D(2026, 11, 8)),
            grade="A",
        ),
        "late": item(
            "逾期办结",
            fgj,
            D(2026, 11, 10),
            status=c,
            percent=100,
            completed_at=done_at(D(2026, 11, 15)),
            grade="C",
        ),
        "open": item("逾期未办结", fgj, D(2026, 11, 20), status=Item.Status.IN_PROGRESS),
        "shared": item(
            "共同牵头",
            jyj,
            D(2026, 11, 25),
            co=[fgj],
            status=c,
            percent=100,
            completed_at=done_at(D(2026, 11, 25)),
            grade="B",
        ),
        "jyj_open": item("教育局逾期", jyj, D(2026, 11, 5), status=Item.Status.IN_PROGRESS),
        "outside": item("期外事项", fgj, D(2026, 12, 20), status=Item.Status.IN_PROGRESS),
        "done_in_december": item(
            "12月办结",
            jyj,
            D(2026, 11, 28),
            status=c,
            percent=100,
            completed_at=done_at(D(2026, 12, 2)),
            grade="B",
        ),
    }


def independent(unit):
    """The same figures counted straight from the database, another way."""
    items = Item.objects.filter(
        owners__unit=unit, owners__role__in=ACCOUNTABLE, due_date__gte=START, due_date__lte=END
    ).distinct()
    done = items.filter(status=Item.Status.COMPLETED, completed_at__date__lte=END)
    on_time = done.filter(completed_at__date__lte=F("due_date"))
    overdue = items.filter(
        Q(status=Item.Status.COMPLETED, completed_at__date__gt=F("due_date"))
        | (~Q(status=Item.Status.COMPLETED) & Q(due_date__lt=END))
        | Q(status=Item.Status.COMPLETED, completed_at__date__gt=END)
    )
    return {
        "count": items.count(),
        "done": done.count(),
        "on_time": on_time.count(),
        "overdue": set(overdue.values_list("pk", flat=True)),
    }


def test_bulletin_figures_equal_independent_counts(data, units):
    rows = figures.unit_rows(Item.objects.all(), START, END, today=TODAY)
    assert {row.name for row in rows} == {"区发展和改革局", "区教育局"}
    for row in rows:
        unit = Unit.objects.get(pk=row.unit_id)
        expected = independent(unit)
        assert (row.count, row.done, row.on_time) == (
            expected["count"],
            expected["done"],
            expected["on_time"],
        ), row.name
        assert {f.item.pk for f in row.overdue} == expected["overdue"], row.name
        assert row.done_rate == round(100 * expected["done"] / expected["count"], 1)
    fgj = next(r for r in rows if r.name == "区发展和改革局")
    assert (fgj.count, fgj.done, fgj.on_time) == (3, 2, 1)  # the co-operated item is not its
    assert fgj.grades == [("A", 1), ("B", 0), ("C", 1), ("D", 0)]
    days = {f.item.text: f.overdue_days for f in fgj.overdue}
    assert days == {"逾期办结": 5, "逾期未办结": 10}  # completed 5 days late; open since 11-20
    # Ranking: 教育局 on time 1 of 3 (33.3) vs 发改局 1 of 3 (33.3); then 办结率 66.7 both;
    # then fewer overdue items: 发改局 has 2, 教育局 2 (late 12-2 and open) -> equal rank.
    jyj = next(r for r in rows if r.name == "区教育局")
    assert jyj.on_time_rate == fgj.on_time_rate == 33.3
    assert jyj.done_rate == 33.3 and fgj.done_rate == 66.7
    assert [r.name for r in rows] == ["区发展和改革局", "区教育局"]
    assert (fgj.rank, jyj.rank) == (1, 2)


def test_scopes_a_document_and_a_leaders_units(data, units, users):
    from tests.tracking import make_document

    document = make_document("一、示范文件。")
    Item.objects.filter(pk=data["open"].pk).update(document=document)
    rows = figures.unit_rows(
        Item.objects.all(), START, END, figures.Scope(document=document), today=TODAY
    )
    assert [(r.name, r.count) for r in rows] == [("区发展和改革局", 1)]
    rows = figures.unit_rows(
        Item.objects.all(), START, END, figures.Scope(leader=users["leader"]), today=TODAY
    )
    assert [r.name for r in rows] == ["区发展和改革局"]


def test_the_assessment_score_follows_the_weights(data, units):
    weights = AssessmentSettings.load()
    weights.grade_weight, weights.on_time_weight, weights.overdue_weight = 50, 30, 20
    weights.overdue_day_penalty = 2
    weights.save()
    scores = {s.row.name: s for s in figures.assessment(Item.objects.all(), 2026, today=TODAY)}
    fgj = scores["区发展和改革局"]
    # Independently: grades A (100) and C (70) -> 85; on time 1 of 3 items due in 2026 within
    # the year (the December item is open, due 12-20, not yet late); overdue days 5 + 14.
    items = Item.objects.filter(
        owners__unit=units["fgj"], owners__role__in=ACCOUNTABLE, due_date__year=2026
    ).distinct()
    assert fgj.row.count == items.count() == 4
    assert fgj.grade_points == 85.0
    assert fgj.row.overdue_days == 5 + (TODAY - D(2026, 11, 20)).days
    overdue_score = 100 - 2 * fgj.row.overdue_days
    expected = round((50 * 85 + 30 * 25.0 + 20 * overdue_score) / 100, 1)
    assert fgj.score == expected
    weights.grade_weight = 0
    weights.save()
    again = {s.row.name: s for s in figures.assessment(Item.objects.all(), 2026, today=TODAY)}
    assert again["区发展和改革局"].score == round((30 * 25.0 + 20 * overdue_score) / 50, 1)


@pytest.mark.parametrize("role", ["staff", "head", "leader", "supervisor", "admin"])
def test_who_sees_the_bulletin_and_the_assessment(client, data, users, role):
    client.force_login(users[role])
    allowed = role in {"leader", "supervisor", "admin"}
    query = f"?start={START}&end={END}"
    for url in [
        reverse("bulletin") + query,
        reverse("bulletin_print") + query,
        reverse("bulletin_xlsx") + query,
        reverse("bulletin_docx") + query,
        reverse("assessment") + "?year=2026",
        reverse("assessment_xlsx") + "?year=2026",
        reverse("assessment_unit", args=[2026, data["open"].owners.get().unit_id]),
    ]:
        assert client.get(url).status_code == (200 if allowed else 403), url


def test_page_print_excel_and_word_carry_the_same_figures(client, data, users):
    client.force_login(users["supervisor"])
    query = f"?start={START}&end={END}"
    page = client.get(reverse("bulletin") + query).content.decode()
    assert "区发展和改革局" in page and "逾期未办结" in page and "66.7" in page
    assert "本期应办结事项 6 项" in page  # the shared item is counted once in the totals
    printed = client.get(reverse("bulletin_print") + query).content.decode()
    assert "督办事项落实情况通报" in printed and "2026年11月30日" in printed
    sheet = load_workbook(io.BytesIO(client.get(reverse("bulletin_xlsx") + query).content))
    rows = list(sheet.active.iter_rows(min_row=5, values_only=True))
    assert rows[0][:8] == (1, "区发展和改革局", 3, 2, 66.7, 1, 33.3, 2)
    overdue = [r[1] for r in sheet["逾期事项"].iter_rows(min_row=2, values_only=True)]
    assert set(overdue) == {"逾期办结", "逾期未办结", "12月办结", "教育局逾期"}
    word = docx.Document(io.BytesIO(client.get(reverse("bulletin_docx") + query).content))
    cells = [[c.text for c in row.cells] for row in word.tables[0].rows]
    assert cells[1][:4] == ["1", "区发展和改革局", "3", "2"]
    assert any("逾期未办结" in p.text for p in word.paragraphs)
    response = client.get(reverse("assessment") + "?year=2026")
    assert (
        reverse("assessment_unit", args=[2026, data["open"].owners.get().unit_id])
        in response.content.decode()
    )
    unit_page = client.get(
        reverse("assessment_unit", args=[2026, data["open"].owners.get().unit_id])
    ).content.decode()
    for key in ("on_time", "late", "open", "outside"):
        assert reverse("item_detail", args=[data[key].pk]) in unit_page


FIRST_WORKDAY = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=SH)  # a Tuesday


def test_leaders_get_last_months_bulletin_once(settings, data, users):
    with smtp_sink() as sink:
        use_sink(settings, sink)
        night = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=SH)
        assert mailing.send_monthly(night) == {}  # outside sending hours
        assert mailing.send_monthly(FIRST_WORKDAY + datetime.timedelta(days=2)) == {}  # not due
        assert mailing.send_monthly(FIRST_WORKDAY) == {"sent": 1, "failed": 0}
        assert mailing.send_monthly(FIRST_WORKDAY) == {"sent": 0, "failed": 0}
        (mailed,) = sink.to("leader@example.gov.cn")
        text = Sink.text(mailed)
        assert "通报" in mailed["Subject"] and "区发展和改革局" in text
        assert "区教育局" not in text  # the leader's own 分管 units
        assert BulletinMail.objects.get().sent_at is not None


def test_a_failed_monthly_mail_is_retried(settings, data, users):
    with smtp_sink(refuse=1) as sink:
        use_sink(settings, sink)
        assert mailing.send_monthly(FIRST_WORKDAY)["failed"] == 1
        row = BulletinMail.objects.get()
        assert row.sent_at is None and row.last_error
        # Retried at a later run, even on a later day of the month.
        later = FIRST_WORKDAY + datetime.timedelta(days=1)
        assert mailing.send_monthly(later) == {"sent": 1, "failed": 0}
        assert len(sink.to("leader@example.gov.cn")) == 1
