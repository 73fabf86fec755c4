"""Ids and whole numbers posted by a browser, parsed without surprises.

`str.isdigit()` is true for "²", "①" or "٣", which `int()` then refuses (or reads as another
number): a view that filters with isdigit() and converts with int() answers 500 to such input.
Every id read from raw POST or GET data goes through `parse_id` / `parse_ids`, which accept
ASCII digits only, within the range of a database id; anything else is no id at all and the
view answers with its usual message. (Inputs handled by Django forms are validated there.)
"""

MAX_ID = 2**63 - 1  # the largest bigint id


def parse_id(value):
    """A positive database id from form input, or None when `value` is not one."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values):
    """The ids among `values` (e.g. request.POST.getlist(...)), in order, invalid ones left out."""
    return [number for number in map(parse_id, values) if number is not None]
