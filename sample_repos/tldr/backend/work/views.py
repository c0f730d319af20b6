from django.shortcuts import get_object_or_404
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from projects.models import Project
from workspaces.permissions import IsWorkspaceMember

from .filters import TaskFilter
from .models import Label, Task
from .serializers import LabelSerializer, TaskMoveSerializer, TaskSerializer


class ProjectScopedMixin:
    """For routes under `/api/projects/<project_id>/…`; detail routes have no project in the URL."""

    def get_project(self):
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(Project, pk=self.kwargs["project_id"])
        return self._project

    def get_workspace(self):
        if "project_id" not in self.kwargs:
            return None
        return self.get_project().workspace


class TaskViewSet(ProjectScopedMixin, viewsets.ModelViewSet):
    serializer_class = TaskSerializer
    permission_classes = [IsAuthenticated, IsWorkspaceMember]
    filterset_class = TaskFilter
    ordering_fields = ["position", "number", "due_date", "created_at", "updated_at"]
    ordering = ["position"]

    def get_queryset(self):
        if "project_id" in self.kwargs:
            return self.get_project().tasks.active().top_level()
        return Task.objects.for_user(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = Task.objects.create_in_project(
            project=self.get_project(),
            created_by=self.request.user,
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        task = serializer.instance
        new_assignee = serializer.validated_data.pop("assignee", task.assignee)
        serializer.save()
        task.assign(new_assignee, actor=self.request.user)

    def perform_destroy(self, instance):
        instance.archive(actor=self.request.user)

    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        task = self.get_object()
        serializer = TaskMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task.move_to(
            status=serializer.validated_data["status"],
            position=serializer.validated_data["position"],
            actor=request.user,
        )
        return Response(TaskSerializer(task, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)


class LabelViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LabelSerializer
    permission_classes = [IsAuthenticated, IsWorkspaceMember]

    def get_queryset(self):
        if "project_id" in self.kwargs:
            return self.get_project().labels.all()
        return Label.objects.filter(project__workspace__memberships__user=self.request.user)

    def perform_create(self, serializer):
        serializer.save(project=self.get_project())
