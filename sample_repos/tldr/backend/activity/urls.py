from django.urls import path

from .views import ActivityEventViewSet

urlpatterns = [
    path(
        "workspaces/<int:workspace_id>/activity/",
        ActivityEventViewSet.as_view({"get": "list"}),
        name="workspace-activity",
    ),
]
