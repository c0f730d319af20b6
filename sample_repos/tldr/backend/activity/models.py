from django.conf import settings
from django.db import models

from core.models import TimeStampedModel


class ActivityEventManager(models.Manager):
    def record(self, *, workspace_id, verb, actor, project_id=None, task=None, **payload):
        """Append one event to the workspace's activity log; `payload` must be JSON-serialisable."""
        return self.create(
            workspace_id=workspace_id,
            project_id=project_id,
            task=task,
            actor=actor,
            verb=verb,
            payload=payload,
        )


class ActivityEvent(TimeStampedModel):
    """Append-only log of what happened in a workspace, shown in the activity feed."""

    class Verb(models.TextChoices):
        PROJECT_CREATED = "project_created", "Project created"
        TASK_CREATED = "task_created", "Task created"
        TASK_UPDATED = "task_updated", "Task updated"
        TASK_STATUS_CHANGED = "task_status_changed", "Task status changed"
        TASK_ASSIGNED = "task_assigned", "Task assigned"
        TASK_ARCHIVED = "task_archived", "Task archived"
        COMMENT_ADDED = "comment_added", "Comment added"
        MEMBER_JOINED = "member_joined", "Member joined"

    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        related_name="activity_events",
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity_events",
    )
    task = models.ForeignKey(
        "work.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="activity_events",
    )
    verb = models.CharField(max_length=40, choices=Verb.choices)
    payload = models.JSONField(default=dict, blank=True)

    objects = ActivityEventManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="activity_workspace_recent_idx"),
            models.Index(fields=["task", "-created_at"], name="activity_task_recent_idx"),
        ]

    def __str__(self):
        return f"{self.verb} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
