"""Template filters of the tracking pages."""

from django import template

from tracker.models import Item

register = template.Library()


@register.filter
def state_label(state):
    """The label of a derived state (Item.State value from with_state or state_on)."""
    try:
        return Item.State(state).label
    except ValueError:
        return ""


@register.filter
def role_names(rows, role):
    """Names of owners or people with this role, joined with 、."""
    return "、".join(row.name for row in rows if row.role == role)
