"""The Celery application: the outbox relay, event deliveries and the simulated downstream run here.

`make run` starts a worker with beat beside the web server on the embedded broker (messages as files
under var/broker); a deployment points CELERY_BROKER_URL or REDIS_URL at Redis and runs the
Procfile's worker, control worker and beat. Tests run tasks eagerly (tests/conftest.py).
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")

app = Celery("ordersite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _make_broker_folders(transport_options: dict) -> None:
    # The filesystem transport expects its folders to exist, in every process that sends or receives.
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in transport_options:
            Path(transport_options[key]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare_embedded_broker(sender, **kwargs):
    if str(sender.conf.broker_url).startswith("filesystem"):
        _make_broker_folders(sender.conf.broker_transport_options or {})


@task_prerun.connect
def _fresh_database_connections(task=None, **kwargs):
    """Drop a broken or expired connection before a task, as Django does before a request.

    Not for a task run eagerly: it runs inside its caller's request or transaction.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
