import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from activity.models import ActivityEvent
from core.models import TimeStampedModel

MENTION_PATTERN = re.compile(r"@\[[^\]]+\]\(user:(\d+)\)")


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(deleted_at__isnull=True)


class CommentManager(models.Manager.from_queryset(CommentQuerySet)):
    def create_with_mentions(self, task, author, body):
        """Create a comment, link the workspace members it @mentions and email them after commit."""
        from .tasks import send_mention_emails

        with transaction.atomic():
            comment = self.create(task=task, author=author, body=body)
            comment.mentions.set(comment.mentioned_members())
            ActivityEvent.objects.record(
                workspace_id=task.workspace_id,
                project_id=task.project_id,
                task=task,
                verb=ActivityEvent.Verb.COMMENT_ADDED,
                actor=author,
                comment_id=comment.pk,
            )
            transaction.on_commit(lambda: send_mention_emails.delay(comment.pk))
        return comment


class Comment(TimeStampedModel):
    task = models.ForeignKey("work.Task", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
    )
    body = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="mentioned_in_comments",
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = CommentManager()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["task", "created_at"], name="comment_task_created_idx"),
        ]

    def __str__(self):
        return f"Comment {self.pk} on task {self.task_id}"

    @property
    def workspace_id(self):
        return self.task.workspace_id

    def mentioned_members(self):
        user_ids = {int(user_id) for user_id in MENTION_PATTERN.findall(self.body)}
        if not user_ids:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(
            pk__in=user_ids,
            memberships__workspace_id=self.task.workspace_id,
        )

    def edit(self, body):
        with transaction.atomic():
            self.body = body
            self.edited_at = timezone.now()
            self.save(update_fields=["body", "edited_at", "updated_at"])
            self.mentions.set(self.mentioned_members())

    def soft_delete(self):
        self.body = ""
        self.deleted_at = timezone.now()
        self.save(update_fields=["body", "deleted_at", "updated_at"])
