from django.urls import include, path

from core.views import health

urlpatterns = [
    path("healthz/", health, name="health"),
    path("api/", include("accounts.urls")),
    path("api/", include("workspaces.urls")),
    path("api/", include("projects.urls")),
    path("api/", include("work.urls")),
    path("api/", include("comments.urls")),
    path("api/", include("activity.urls")),
]
