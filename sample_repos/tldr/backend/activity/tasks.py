from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import ActivityEvent


@shared_task
def prune_old_activity():
    cutoff = timezone.now() - timedelta(days=settings.ACTIVITY_RETENTION_DAYS)
    deleted, _ = ActivityEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
