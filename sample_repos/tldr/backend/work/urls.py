from django.urls import path

from .views import LabelViewSet, TaskViewSet

task_list = TaskViewSet.as_view({"get": "list", "post": "create"})
task_detail = TaskViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})
task_move = TaskViewSet.as_view({"post": "move"})
label_list = LabelViewSet.as_view({"get": "list", "post": "create"})
label_detail = LabelViewSet.as_view({"patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    path("projects/<int:project_id>/tasks/", task_list, name="project-task-list"),
    path("tasks/<int:pk>/", task_detail, name="task-detail"),
    path("tasks/<int:pk>/move/", task_move, name="task-move"),
    path("projects/<int:project_id>/labels/", label_list, name="project-label-list"),
    path("labels/<int:pk>/", label_detail, name="label-detail"),
]
