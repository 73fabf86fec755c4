"""Settings for the processes the end-to-end test starts: the project's settings, with beat's
intervals cut to a few seconds so that a test sees several ticks in under a minute."""

from config.settings import *  # noqa: F403
from config.settings import CELERY_BEAT_SCHEDULE as _SCHEDULE

E2E_BEAT_SECONDS = 4.0

CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": min(entry["schedule"], E2E_BEAT_SECONDS)}
    if isinstance(entry["schedule"], int | float)
    else entry
    for name, entry in _SCHEDULE.items()
}
