"""tracker.lib.clock: the real time, or the moment DUBAN_FAKE_NOW names (for real-process tests)."""

import datetime
import zoneinfo

from django.test import override_settings
from django.utils import timezone

from tracker.lib import clock

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_without_a_fake_time_the_clock_is_the_real_one():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    assert clock.today() == timezone.localdate()


@override_settings(DUBAN_FAKE_NOW="2025-05-29T23:30:00+08:00")
def test_a_fake_time_stops_the_clock_there():
    assert clock.now() == datetime.datetime(2025, 5, 29, 23, 30, tzinfo=SHANGHAI)
    assert clock.today() == datetime.date(2025, 5, 29)


@override_settings(DUBAN_FAKE_NOW="2025-05-30T07:00:00")
def test_a_naive_fake_time_is_read_in_the_site_time_zone():
    assert clock.now().utcoffset() == datetime.timedelta(hours=8)
    # 23:00 UTC the day before is already the 30th in Shanghai.
    with override_settings(DUBAN_FAKE_NOW="2025-05-29T23:00:00+00:00"):
        assert clock.today() == datetime.date(2025, 5, 30)
