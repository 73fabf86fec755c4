"""Imports and reminders run on queues of their own, so either can be scaled out alone."""

import pytest
from django.conf import settings

from config.celery_app import app

EXPECTED = {
    "tracker.tasks.heartbeat": "celery",
    "tracker.tasks.parse_import": "imports",
    "tracker.tasks.reminders_tick": "reminders",
}


def queue_of(name):
    return app.amqp.router.route({}, name)["queue"].name


@pytest.fixture(scope="module", autouse=True)
def tasks_loaded():
    app.loader.import_default_modules()


@pytest.mark.parametrize(("task", "queue"), EXPECTED.items())
def test_each_task_goes_to_its_queue(task, queue):
    assert task in app.tasks
    assert queue_of(task) == queue


def test_every_project_task_goes_to_a_queue_the_workers_listen_on():
    names = [name for name in app.tasks if name.startswith(("tracker.", "dashboards."))]
    assert names
    assert {queue_of(name) for name in names} <= set(settings.DUBAN_QUEUES)
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "celery"
