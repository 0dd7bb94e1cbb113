"""The Celery application: fulfilment steps and event delivery run here.

Without CELERY_BROKER_URL (the embedded default) tasks run eagerly in the web process, after the
transaction that queued them commits; with a broker (e.g. redis://127.0.0.1:6379/0), start a
worker with `celery -A ordersite worker -l info` (and `celery -A ordersite beat` for jeopardy checks).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordersite.settings")

app = Celery("ordersite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
