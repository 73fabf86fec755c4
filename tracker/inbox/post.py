"""Who is told what: one message per recipient and event, offered with a key so it is once."""

from tracker.models import ItemOwner, Message, User

UNIT_ROLES = [ItemOwner.Role.LEAD, ItemOwner.Role.CO, ItemOwner.Role.RESPONSIBLE]


def post(recipients, code, key, item=None, actor=None, **data):
    """Offer a message to each recipient; a key seen before adds nothing. Returns how many
    recipients were offered (the caller enqueues the e-mail with tracker.tasks.notices_mail)."""
    rows = [
        Message(
            recipient_id=getattr(r, "pk", r),
            item=item,
            code=code,
            key=key,
            actor=actor,
            data={k: v for k, v in data.items() if v not in (None, "")},
        )
        for r in {getattr(r, "pk", r) for r in recipients if r is not None}
    ]
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def item_data(item):
    return {"title": item.text[:80], "ref": item.ref}


def unit_members(unit_ids):
    """Active staff and unit heads of these units."""
    return User.objects.filter(
        is_active=True, unit_id__in=list(unit_ids), role__in=[User.Role.STAFF, User.Role.UNIT_HEAD]
    )


def item_units(item):
    """Ids of the units that lead, co-operate on or are responsible for the item."""
    return set(
        item.owners.filter(role__in=UNIT_ROLES, unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )


def item_members(item):
    return unit_members(item_units(item))


def office_users():
    """The supervision office's accounts."""
    return User.objects.filter(is_active=True, role=User.Role.SUPERVISOR)
