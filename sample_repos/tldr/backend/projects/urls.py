from django.urls import path

from .views import ProjectViewSet

project_list = ProjectViewSet.as_view({"get": "list", "post": "create"})
project_detail = ProjectViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    path("workspaces/<int:workspace_id>/projects/", project_list, name="workspace-project-list"),
    path("projects/<int:pk>/", project_detail, name="project-detail"),
]
