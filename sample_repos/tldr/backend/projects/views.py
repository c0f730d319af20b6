from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from workspaces.models import Workspace
from workspaces.permissions import IsWorkspaceAdmin, IsWorkspaceMember

from .models import Project
from .serializers import ProjectSerializer


class ProjectViewSet(viewsets.ModelViewSet):
    """`/api/workspaces/<workspace_id>/projects/` for list and create, `/api/projects/<pk>/` for one project."""

    serializer_class = ProjectSerializer
    permission_classes = [IsAuthenticated, IsWorkspaceMember]
    filterset_fields = ["status"]
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "delete"]

    def get_permissions(self):
        if self.action == "destroy":
            return [IsAuthenticated(), IsWorkspaceAdmin()]
        return super().get_permissions()

    def get_workspace(self):
        if "workspace_id" not in self.kwargs:
            return None
        if not hasattr(self, "_workspace"):
            self._workspace = get_object_or_404(Workspace, pk=self.kwargs["workspace_id"])
        return self._workspace

    def get_queryset(self):
        if "workspace_id" in self.kwargs:
            projects = self.get_workspace().projects.all()
        else:
            projects = Project.objects.for_user(self.request.user)
        return projects.select_related("lead").annotate(
            open_task_count=Count(
                "tasks",
                filter=Q(tasks__archived_at__isnull=True) & ~Q(tasks__status="done"),
            )
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "workspace": self.get_workspace()}

    def perform_create(self, serializer):
        serializer.instance = Project.objects.create_in_workspace(
            workspace=self.get_workspace(),
            created_by=self.request.user,
            **serializer.validated_data,
        )
