from rest_framework import serializers

from accounts.serializers import UserSummarySerializer

from .models import ActivityEvent


class ActivityEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True)
    task_key = serializers.SerializerMethodField()
    task_title = serializers.CharField(source="task.title", read_only=True, default=None)

    class Meta:
        model = ActivityEvent
        fields = ["id", "verb", "actor", "project", "task", "task_key", "task_title", "payload", "created_at"]

    def get_task_key(self, event):
        if event.task is None:
            return None
        return f"{event.task.project.key}-{event.task.number}"
