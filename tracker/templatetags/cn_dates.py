"""Dates in the reader's language: 2024年5月31日 in Chinese, 31 May 2024 otherwise.

Templates write ``{{ d|cn_date }}`` (date), ``{{ d|cn_datetime }}`` (date and time),
``{{ d|cn_monthday }}`` (no year) and ``{% cn_today %}`` instead of hard-coding the Chinese
``date:"Y年n月j日"`` format, so the English interface and English e-mails read naturally.
"""

from django import template
from django.utils import formats
from django.utils.translation import get_language

from tracker.lib import clock

register = template.Library()

# (Chinese, other languages) Django date formats.
DATE = ("Y年n月j日", "j M Y")
DATETIME = ("Y年n月j日 H:i", "j M Y H:i")
MONTHDAY = ("n月j日", "j M")


def _chinese():
    return (get_language() or "zh-hans").startswith("zh")


def format_date(value, formats_pair=DATE):
    """`value` (a date or datetime) in the active language's format; "" for no value."""
    if value in (None, ""):
        return ""
    return formats.date_format(value, formats_pair[0] if _chinese() else formats_pair[1])


@register.filter(expects_localtime=True)
def cn_date(value):
    return format_date(value, DATE)


@register.filter(expects_localtime=True)
def cn_datetime(value):
    return format_date(value, DATETIME)


@register.filter(expects_localtime=True)
def cn_monthday(value):
    return format_date(value, MONTHDAY)


@register.simple_tag
def cn_today():
    return format_date(clock.today(), DATE)
