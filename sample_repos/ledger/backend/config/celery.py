import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ledger")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "schedule-dunning-notices": {
        "task": "billing.tasks.schedule_dunning_notices",
        "schedule": crontab(hour=7, minute=0),
    },
}
