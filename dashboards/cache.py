"""Reuse a dashboard's computed figures until the data changes (Redis in production).

A figure (the result of a dashboards.queries function) is kept under a key made of the query,
who is asking (everything, or one unit's items: the only difference visible_to makes), the
page's filters, today and a stamp of the data: the latest item write (Item.updated_at, one
index probe) and a generation number that every save or delete of the rows the dashboards
read besides items (deadlines, owners, people, reports, units, documents, thresholds) moves
on. A change therefore shows on the next request; writes that bypass both (a raw queryset
update of a deadline) show within DASHBOARD_CACHE_SECONDS. When the cache fails the figures
are computed as if there were none.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.db.models.signals import post_delete, post_save

from tracker.models import (
    Deadline,
    Item,
    ItemOwner,
    ItemPerson,
    PaceSettings,
    ProgressReport,
    SourceDocument,
    Unit,
    UnitGroup,
)

log = logging.getLogger(__name__)
GENERATION = "dashboards:generation"
WATCHED = (
    Deadline,
    ItemOwner,
    ItemPerson,
    ProgressReport,
    Unit,
    UnitGroup,
    SourceDocument,
    PaceSettings,
    Item,
)


def bump(**_kwargs):
    try:
        cache.incr(GENERATION)
    except ValueError:  # not there yet
        cache.set(GENERATION, 1, None)
    except Exception:  # noqa: BLE001 (a cache outage must not stop a write)
        log.warning("dashboard cache: generation not moved on", exc_info=True)


def connect():
    for model in WATCHED:
        post_save.connect(bump, sender=model, dispatch_uid=f"dashboards-{model.__name__}-save")
        post_delete.connect(bump, sender=model, dispatch_uid=f"dashboards-{model.__name__}-delete")


def stamp():
    """(generation, latest item write): what a kept figure must match to be reused."""
    latest = Item.objects.aggregate(m=Max("updated_at"))["m"]
    try:
        generation = cache.get(GENERATION, 0)
    except Exception:  # noqa: BLE001
        generation = None
    return generation, latest.isoformat() if latest else ""


class Figures:
    """page.figures(name, function, *args): function(*args) or its kept result."""

    def __init__(self, user, params, today):
        self.scope = "all" if user.sees_everything else f"unit:{user.unit_id}"
        self.params = sorted((k, v) for k, v in params if k != "page")
        self.today = today
        self._stamp = None

    def key(self, name, extra):
        if self._stamp is None:
            self._stamp = stamp()
        raw = repr((name, self.scope, self.params, self.today.isoformat(), self._stamp, extra))
        return "dashboards:figure:" + hashlib.sha256(raw.encode()).hexdigest()

    def __call__(self, name, function, *args, extra=()):
        key = self.key(name, extra)
        if self._stamp[0] is not None:
            try:
                found = cache.get(key)
            except Exception:  # noqa: BLE001
                found = None
            if found is not None:
                return found
        value = function(*args)
        if self._stamp[0] is not None:
            try:
                cache.set(key, value, settings.DASHBOARD_CACHE_SECONDS)
            except Exception:  # noqa: BLE001
                log.warning("dashboard cache: figure not kept", exc_info=True)
        return value
