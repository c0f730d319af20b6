from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import Project


@shared_task
def archive_completed_tasks():
    """Archive done tasks of projects that opted in via `auto_archive_after_days`."""
    now = timezone.now()
    archived = 0
    projects = Project.objects.open().filter(auto_archive_after_days__isnull=False)
    for project in projects.iterator():
        cutoff = now - timedelta(days=project.auto_archive_after_days)
        archived += project.tasks.filter(
            status="done",
            completed_at__lte=cutoff,
            archived_at__isnull=True,
        ).update(archived_at=now, updated_at=now)
    return archived
