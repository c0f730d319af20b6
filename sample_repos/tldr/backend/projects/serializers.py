from rest_framework import serializers

from accounts.serializers import UserSummarySerializer

from .models import Project


class ProjectSerializer(serializers.ModelSerializer):
    lead = UserSummarySerializer(read_only=True)
    lead_id = serializers.IntegerField(write_only=True, required=False, allow_null=True)
    open_task_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "workspace",
            "name",
            "key",
            "description",
            "status",
            "lead",
            "lead_id",
            "auto_archive_after_days",
            "open_task_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "workspace", "created_at", "updated_at"]

    def validate_key(self, key):
        key = key.upper()
        if not key.isalnum():
            raise serializers.ValidationError("Use letters and digits only.")
        workspace = self.context["workspace"] if self.instance is None else self.instance.workspace
        clash = workspace.projects.filter(key=key)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Another project in this workspace uses this key.")
        return key

    def validate_lead_id(self, lead_id):
        if lead_id is None:
            return None
        workspace = self.context["workspace"] if self.instance is None else self.instance.workspace
        if not workspace.memberships.filter(user_id=lead_id).exists():
            raise serializers.ValidationError("The project lead must be a member of the workspace.")
        return lead_id
