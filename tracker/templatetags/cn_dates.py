"""Dates in the reader's language: 2024年5月31日 in Chinese, 31 May 2024 otherwise.

Templates write ``{{ d|cn_date }}`` (date), ``{{ d|cn_datetime }}`` (date and time),
``{{ d|cn_monthday }}`` (no year) and ``{% cn_today %}`` instead of hard-coding the Chinese
``date:"Y年n月j日"`` format, so the English interface and English e-mails read naturally. The
formats are Django's locale formats of config/formats/ (tracker.lib.dates).
"""

from django import template

from tracker.lib import clock
from tracker.lib.dates import DATE, DATETIME, MONTHDAY, format_date

register = template.Library()


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
