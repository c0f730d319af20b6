from django.contrib.auth import get_user_model
from rest_framework import serializers

from accounts.serializers import UserSummarySerializer

from .models import Label, Task

User = get_user_model()


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "color"]

    def validate_color(self, color):
        if len(color) != 7 or not color.startswith("#"):
            raise serializers.ValidationError("Use a hex colour such as #3b82f6.")
        return color.lower()


class TaskSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    assignee = UserSummarySerializer(read_only=True)
    assignee_id = serializers.PrimaryKeyRelatedField(
        source="assignee",
        queryset=User.objects.filter(is_active=True),
        write_only=True,
        required=False,
        allow_null=True,
    )
    created_by = UserSummarySerializer(read_only=True)
    labels = LabelSerializer(many=True, read_only=True)
    label_ids = serializers.PrimaryKeyRelatedField(
        source="labels",
        queryset=Label.objects.all(),
        many=True,
        write_only=True,
        required=False,
    )
    parent_id = serializers.PrimaryKeyRelatedField(
        source="parent",
        queryset=Task.objects.all(),
        required=False,
        allow_null=True,
    )
    is_overdue = serializers.BooleanField(read_only=True)
    comment_count = serializers.SerializerMethodField()
    subtask_progress = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "key",
            "number",
            "project",
            "parent_id",
            "title",
            "description",
            "status",
            "position",
            "assignee",
            "assignee_id",
            "labels",
            "label_ids",
            "due_date",
            "is_overdue",
            "comment_count",
            "subtask_progress",
            "created_by",
            "completed_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "project",
            "position",
            "completed_at",
            "archived_at",
            "created_at",
            "updated_at",
        ]

    def get_comment_count(self, task):
        return task.comments.filter(deleted_at__isnull=True).count()

    def get_subtask_progress(self, task):
        return {
            "done": task.subtasks.filter(status=Task.Status.DONE).count(),
            "total": task.subtasks.count(),
        }

    def validate_status(self, status):
        if self.instance is not None and status != self.instance.status:
            raise serializers.ValidationError("Use the move endpoint to change a task's status.")
        return status


class TaskMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Task.Status.choices)
    position = serializers.FloatField(min_value=0)
