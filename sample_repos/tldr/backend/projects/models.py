from django.conf import settings
from django.db import models, transaction
from django.db.models import F

from core.models import TimeStampedModel
from workspaces.models import Workspace


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(workspace__memberships__user=user)

    def open(self):
        return self.exclude(status=Project.Status.ARCHIVED)


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    def create_in_workspace(self, workspace, created_by, **fields):
        from activity.models import ActivityEvent

        with transaction.atomic():
            project = self.create(workspace=workspace, **fields)
            ActivityEvent.objects.record(
                workspace_id=workspace.pk,
                project_id=project.pk,
                verb=ActivityEvent.Verb.PROJECT_CREATED,
                actor=created_by,
                name=project.name,
            )
        return project


class Project(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        COMPLETED = "completed", "Completed"
        ARCHIVED = "archived", "Archived"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=120)
    key = models.CharField(max_length=10, help_text="Short uppercase prefix for task keys, e.g. WEB in WEB-142")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    next_task_number = models.PositiveIntegerField(default=1)
    auto_archive_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Archive done tasks this many days after completion; empty keeps them on the board",
    )

    objects = ProjectManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="unique_project_key_per_workspace"),
        ]

    def __str__(self):
        return f"{self.key} · {self.name}"

    def allocate_task_number(self):
        """Reserve the next task number; call inside a transaction."""
        Project.objects.filter(pk=self.pk).update(next_task_number=F("next_task_number") + 1)
        self.refresh_from_db(fields=["next_task_number"])
        return self.next_task_number - 1
