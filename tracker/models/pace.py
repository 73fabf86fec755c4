"""序时进度 (progress against time elapsed): the one rule of an item's green, yellow or red light.

Expected progress is the share of the item's period that has elapsed, from its start (the day it
was created or imported) to its final due date. The latest confirmed percent (Item.percent) is
compared with it; the points behind decide the light against the thresholds the administrator
sets (PaceSettings):

- done: green; overdue (any date it owes has passed, see ItemQuerySet.with_state): red;
- no due date (长期推进): no light;
- behind more than `red_points`: red; behind `yellow_points` or more (up to `red_points`):
  yellow; otherwise green.

The rule is written twice, in SQL (`annotate_pace`, for lists and dashboards) and in Python
(`pace_of`, for one item, e-mails), with the same integer arithmetic so that both agree at the
boundaries: behind >= Y  <=>  100 * elapsed - percent * period >= Y * period.
"""

import datetime
from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.functions import Greatest, Least, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.items import Item, owes_before


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    NONE = "none", _("无时限")


# The colours every page uses for the lights (lists, item page, e-mails, dashboards).
LIGHT_COLORS = {
    Light.GREEN: "#2f855a",
    Light.YELLOW: "#d69e2e",
    Light.RED: "#c53030",
    Light.NONE: "#9aa5b1",
}
# Most urgent first: the order of stacks, legends and tables.
LIGHT_ORDER = [Light.RED, Light.YELLOW, Light.GREEN, Light.NONE]


class PaceSettings(models.Model):
    """The 序时进度 thresholds, one row (pk=1) the supervision office edits in the admin."""

    yellow_points = models.PositiveSmallIntegerField(
        _("黄灯：落后序时进度(百分点)不少于"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("实际进度落后于序时进度达到此百分点数即为黄灯"),
    )
    red_points = models.PositiveSmallIntegerField(
        _("红灯：落后序时进度(百分点)超过"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("落后超过此百分点数即为红灯；已逾期的事项一律为红灯"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("序时进度红绿灯")
        verbose_name_plural = _("序时进度红绿灯")
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_points__lte=F("red_points")), name="pace_yellow_not_above_red"
            ),
        ]

    def __str__(self):
        return str(_("序时进度红绿灯"))

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.yellow_points and self.red_points and self.yellow_points > self.red_points:
            raise ValidationError(_("黄灯阈值不能大于红灯阈值。"))

    @classmethod
    def load(cls):
        row = cls.objects.filter(pk=1).first()
        return row if row is not None else cls(pk=1)


@dataclass(frozen=True)
class Pace:
    light: str
    expected: float | None  # percent of the period elapsed, None without a due date
    percent: int
    behind: float | None  # points behind the expected progress (negative: ahead)

    @property
    def label(self):
        return Light(self.light).label

    @property
    def color(self):
        return LIGHT_COLORS[self.light]


def _start(item):
    return timezone.localtime(item.created_at).date() if item.created_at else None


def _span(start, due, today):
    """(elapsed, period) in days, integers: elapsed clipped to [0, period]; a period of no
    days counts as fully elapsed."""
    period = (due - start).days
    if period <= 0:
        return 1, 1
    return min(max((today - start).days, 0), period), period


def light_of(percent, elapsed, period, thresholds):
    behind_scaled = 100 * elapsed - percent * period  # behind * period
    if behind_scaled > thresholds.red_points * period:
        return Light.RED
    if behind_scaled >= thresholds.yellow_points * period:
        return Light.YELLOW
    return Light.GREEN


def pace_of(item, today=None, thresholds=None):
    """The 序时进度 of one item (state from with_state's annotation or Item.state_on)."""
    today = today or timezone.localdate()
    thresholds = thresholds or PaceSettings.load()
    state = getattr(item, "state", None) or item.state_on(today)
    expected = behind = None
    start = _start(item)
    if item.due_date and start:
        elapsed, period = _span(start, item.due_date, today)
        expected = round(100 * elapsed / period, 1)
        behind = round(expected - item.percent, 1)
    if state == Item.State.DONE:
        light = Light.GREEN
    elif state == Item.State.OVERDUE:
        light = Light.RED
    elif expected is None:
        light = Light.NONE
    else:
        light = light_of(item.percent, elapsed, period, thresholds)
    return Pace(light=light, expected=expected, percent=item.percent, behind=behind)


class EpochDay(models.Func):
    """Days since 1970-01-01 of a date, as an integer, on PostgreSQL and SQLite."""

    output_field = models.IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((%(expressions)s)::date - DATE '1970-01-01')", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra,
        )


def annotate_pace(items, today, thresholds):
    """Annotate `pace_light` (and its parts pace_period, pace_elapsed, pace_behind)."""
    epoch = (today - datetime.date(1970, 1, 1)).days
    start = EpochDay(TruncDate("created_at"))
    due = EpochDay(F("due_date"))
    integer = models.IntegerField()
    period = ExpressionWrapper(due - start, output_field=integer)
    clipped = Least(Greatest(Value(epoch) - start, Value(0)), period)
    items = items.annotate(
        pace_period=models.Case(
            models.When(
                Q(due_date__isnull=False) & Q(**{"due_date__gt": TruncDate("created_at")}),
                then=period,
            ),
            default=Value(1),
            output_field=integer,
        ),
        pace_elapsed=models.Case(
            models.When(
                Q(due_date__isnull=False) & Q(**{"due_date__gt": TruncDate("created_at")}),
                then=clipped,
            ),
            default=Value(1),
            output_field=integer,
        ),
    )
    behind = ExpressionWrapper(
        Value(100) * F("pace_elapsed") - F("percent") * F("pace_period"), output_field=integer
    )
    return items.annotate(pace_behind=behind).annotate(
        pace_light=models.Case(
            # The state's own conditions, not its CASE: `state` here would inline it again.
            models.When(status=Item.Status.COMPLETED, then=Value(Light.GREEN)),
            models.When(owes_before(today), then=Value(Light.RED)),
            models.When(due_date__isnull=True, then=Value(Light.NONE)),
            models.When(
                pace_behind__gt=thresholds.red_points * F("pace_period"), then=Value(Light.RED)
            ),
            models.When(
                pace_behind__gte=thresholds.yellow_points * F("pace_period"),
                then=Value(Light.YELLOW),
            ),
            default=Value(Light.GREEN),
            output_field=models.CharField(),
        )
    )
