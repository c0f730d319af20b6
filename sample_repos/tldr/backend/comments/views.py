from django.shortcuts import get_object_or_404
from rest_framework import mixins, viewsets

from work.models import Task

from .models import Comment
from .serializers import CommentSerializer


class CommentViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """`/api/tasks/<task_id>/comments/` to read and post, `/api/comments/<pk>/` for the author to edit or delete."""

    serializer_class = CommentSerializer

    def get_queryset(self):
        if "task_id" in self.kwargs:
            return Comment.objects.visible().filter(task_id=self.kwargs["task_id"]).select_related("author")
        return Comment.objects.visible().filter(author=self.request.user)

    def perform_create(self, serializer):
        task = get_object_or_404(Task, pk=self.kwargs["task_id"])
        serializer.instance = Comment.objects.create_with_mentions(
            task=task,
            author=self.request.user,
            body=serializer.validated_data["body"],
        )

    def perform_update(self, serializer):
        serializer.instance.edit(serializer.validated_data["body"])

    def perform_destroy(self, instance):
        instance.soft_delete()
