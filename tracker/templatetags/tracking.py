"""Template filters of the tracking pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tracker.models import Item, Light, PaceSettings, pace_of
from tracker.tracking import once

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


@register.filter
def light_label(light):
    """The label of a 序时进度 light (Light value from annotate_pace or pace_of)."""
    try:
        return Light(light).label
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def item_pace(context, item, today=None):
    """{% item_pace item as pace %}: the item's 序时进度 (pace.light, .label, .color, .expected,
    .percent, .behind) by the one rule, tracker.models.pace; for pages and e-mails alike. The
    thresholds are read once per rendering."""
    cache = context.render_context
    if "pace_thresholds" not in cache:
        cache["pace_thresholds"] = PaceSettings.load()
    return pace_of(item, today, cache["pace_thresholds"])


@register.filter
def owner_names(rows, role):
    """Owners with this role, joined with 、; an owner linked to no unit or unit group is
    marked 未对应单位, one taken from the document's addressees 默认."""
    parts = []
    for row in rows:
        if row.role != role:
            continue
        marks = []
        if row.group_id:
            marks.append(format_html('<span class="tag group">{}</span>', _("单位组")))
        elif not row.unit_id:
            marks.append(format_html('<span class="tag unlinked">{}</span>', _("未对应单位")))
        if row.is_default:
            marks.append(format_html('<span class="tag default">{}</span>', _("默认")))
        parts.append(format_html("{}{}", row.name, mark_safe("".join(marks))))
    return mark_safe("、".join(parts))


@register.simple_tag(takes_context=True)
def submission_token(context):
    """The hidden one-time token of a state-changing form (tracker/tracking/once.py): put it
    next to {% csrf_token %}; a fresh one at every rendering."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_token(user)
    )
