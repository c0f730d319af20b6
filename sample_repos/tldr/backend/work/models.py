from django.conf import settings
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from activity.models import ActivityEvent
from core.models import TimeStampedModel
from projects.models import Project

POSITION_STEP = 1024.0
MIN_POSITION_GAP = 1e-6


class Label(TimeStampedModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=50)
    color = models.CharField(max_length=7, default="#6b7280")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_label_name_per_project"),
        ]

    def __str__(self):
        return self.name

    @property
    def workspace_id(self):
        return self.project.workspace_id


class TaskQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(project__workspace__memberships__user=user)

    def active(self):
        return self.filter(archived_at__isnull=True)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def in_column(self, project, status):
        return self.filter(project=project, status=status, archived_at__isnull=True)


class TaskManager(models.Manager.from_queryset(TaskQuerySet)):
    def create_in_project(self, project, created_by, labels=(), **fields):
        with transaction.atomic():
            status = fields.pop("status", Task.Status.TODO)
            last_position = self.in_column(project, status).aggregate(last=Max("position"))["last"] or 0.0
            task = self.create(
                project=project,
                number=project.allocate_task_number(),
                status=status,
                position=last_position + POSITION_STEP,
                created_by=created_by,
                **fields,
            )
            task.labels.set(labels)
            ActivityEvent.objects.record(
                workspace_id=project.workspace_id,
                project_id=project.pk,
                task=task,
                verb=ActivityEvent.Verb.TASK_CREATED,
                actor=created_by,
                title=task.title,
            )
        return task


class Task(TimeStampedModel):
    class Status(models.TextChoices):
        BACKLOG = "backlog", "Backlog"
        TODO = "todo", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        DONE = "done", "Done"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveIntegerField()
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subtasks",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TODO)
    position = models.FloatField(default=0.0, help_text="Sort order inside the task's status column")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="created_tasks",
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="tasks")
    due_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = TaskManager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="unique_task_number_per_project"),
        ]
        indexes = [
            models.Index(fields=["project", "status", "position"], name="task_board_column_idx"),
            models.Index(fields=["assignee", "status"], name="task_assignee_status_idx"),
        ]

    def __str__(self):
        return f"{self.key} {self.title}"

    @property
    def key(self):
        return f"{self.project.key}-{self.number}"

    @property
    def workspace_id(self):
        return self.project.workspace_id

    @property
    def is_overdue(self):
        return self.due_date is not None and self.status != self.Status.DONE and self.due_date < timezone.localdate()

    def move_to(self, status, position, actor):
        """Change column and/or order; `position` is a float between the neighbours' positions."""
        from .tasks import rebalance_column_positions

        previous_status = self.status
        with transaction.atomic():
            self.status = status
            self.position = position
            if status == self.Status.DONE and previous_status != self.Status.DONE:
                self.completed_at = timezone.now()
            if status != self.Status.DONE:
                self.completed_at = None
            self.save(update_fields=["status", "position", "completed_at", "updated_at"])
            if previous_status != status:
                ActivityEvent.objects.record(
                    workspace_id=self.workspace_id,
                    project_id=self.project_id,
                    task=self,
                    verb=ActivityEvent.Verb.TASK_STATUS_CHANGED,
                    actor=actor,
                    **{"from": previous_status, "to": status},
                )
            if self.needs_rebalance():
                transaction.on_commit(lambda: rebalance_column_positions.delay(self.project_id, status))

    def needs_rebalance(self):
        neighbours = Task.objects.in_column(self.project_id, self.status).exclude(pk=self.pk)
        return neighbours.filter(
            position__gt=self.position - MIN_POSITION_GAP,
            position__lt=self.position + MIN_POSITION_GAP,
        ).exists()

    def assign(self, user, actor):
        if self.assignee_id == (user.pk if user else None):
            return
        with transaction.atomic():
            self.assignee = user
            self.save(update_fields=["assignee", "updated_at"])
            ActivityEvent.objects.record(
                workspace_id=self.workspace_id,
                project_id=self.project_id,
                task=self,
                verb=ActivityEvent.Verb.TASK_ASSIGNED,
                actor=actor,
                assignee_id=user.pk if user else None,
            )

    def archive(self, actor):
        with transaction.atomic():
            self.archived_at = timezone.now()
            self.save(update_fields=["archived_at", "updated_at"])
            ActivityEvent.objects.record(
                workspace_id=self.workspace_id,
                project_id=self.project_id,
                task=self,
                verb=ActivityEvent.Verb.TASK_ARCHIVED,
                actor=actor,
            )
