from django.shortcuts import get_object_or_404
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from workspaces.models import Workspace
from workspaces.permissions import IsWorkspaceMember

from .serializers import ActivityEventSerializer


class ActivityEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Newest-first activity of one workspace: `/api/workspaces/<workspace_id>/activity/?project=12`."""

    serializer_class = ActivityEventSerializer
    permission_classes = [IsAuthenticated, IsWorkspaceMember]
    filterset_fields = ["project", "task", "actor", "verb"]
    ordering = ["-created_at"]

    def get_workspace(self):
        if not hasattr(self, "_workspace"):
            self._workspace = get_object_or_404(Workspace, pk=self.kwargs["workspace_id"])
        return self._workspace

    def get_queryset(self):
        return self.get_workspace().activity_events.select_related("actor", "task__project")
