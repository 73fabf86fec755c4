"""Offer an event to the channels of the units it concerns: one ChannelDelivery per active
channel, keyed (channel, event) so a double click or a second run adds nothing."""

from tracker.models import ChannelDelivery, UnitChannel


def announce(unit_ids, code, key, item=None, actor=None, **data):
    """Returns how many channels were offered the event (the caller's transaction keeps it)."""
    channels = UnitChannel.objects.filter(unit_id__in=list(unit_ids), active=True)
    if actor is not None:
        data["actor"] = str(actor)
    rows = [
        ChannelDelivery(
            channel=channel,
            key=key[:100],
            code=code,
            item=item,
            data={k: v for k, v in data.items() if v not in (None, "")},
        )
        for channel in channels
    ]
    ChannelDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
