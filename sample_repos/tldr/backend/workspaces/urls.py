from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register(r"workspaces/(?P<workspace_id>\d+)/members", views.MembershipViewSet, basename="workspace-member")
router.register(r"workspaces/(?P<workspace_id>\d+)/invitations", views.InvitationViewSet, basename="workspace-invitation")

urlpatterns = [
    path("invitations/accept/", views.accept_invitation, name="invitation-accept"),
    *router.urls,
]
