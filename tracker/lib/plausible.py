"""The plausible range of a date a person or a document sets (due dates, deadlines, extensions).

One rule for every entrance — the import preview and its confirmation, the workflow forms,
the admin, and the reminder sweep that skips (and lists) rows someone stored outside it: from
settings.DUBAN_EARLIEST_DATE (2000-01-01) to settings.DUBAN_LATEST_DATE_YEARS (10) years after
today. A date outside it is a typo (0025-06-30 for 2025-06-30) or a joke (9999-12-31), and the
date arithmetic of reminders and charts is not asked to cope with it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from tracker.lib import clock


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def bounds(today=None):
    """(earliest, latest) plausible date on `today` (default: the site's today)."""
    today = today or clock.today()
    earliest = datetime.date.fromisoformat(str(settings.DUBAN_EARLIEST_DATE))
    latest = _years_after(today, int(settings.DUBAN_LATEST_DATE_YEARS))
    return earliest, max(latest, earliest)


def is_plausible(day, today=None):
    """Whether a date lies in the plausible range (None, no date, is plausible)."""
    if day is None:
        return True
    earliest, latest = bounds(today)
    return earliest <= day <= latest


def out_of_range_message(day, today=None):
    earliest, latest = bounds(today)
    return _("日期“%(value)s”超出合理范围，应在 %(earliest)s 至 %(latest)s 之间，请检查年份。") % {
        "value": day.isoformat(),
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
    }


def check(day, today=None):
    """Raise ValidationError (a Chinese message naming the range) unless `day` is plausible."""
    if not is_plausible(day, today):
        raise ValidationError(out_of_range_message(day, today), code="date_out_of_range")
    return day


def plausible_or_none(day, today=None):
    return day if is_plausible(day, today) else None


@deconstructible
class PlausibleDateValidator:
    """The model field validator (so ModelForms and the admin check it too)."""

    def __call__(self, value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        check(value)

    def __eq__(self, other):
        return isinstance(other, PlausibleDateValidator)

    def __hash__(self):
        return hash(type(self).__name__)
