"""Dates in the reader's language through Django's locale formats (config/formats/).

2024年5月31日 in Chinese, 31 May 2024 in English: pages, e-mails and exports all format here.
"""

from django.utils import formats

DATE = "DATE_FORMAT"
DATETIME = "DATETIME_FORMAT"
MONTHDAY = "MONTH_DAY_FORMAT"


def format_date(value, format_name=DATE):
    """`value` (a date or datetime) in the active language's format; "" for no value."""
    if value in (None, ""):
        return ""
    return formats.date_format(value, format_name)
