from django.urls import path

from . import views

workspace_list = views.WorkspaceViewSet.as_view({"get": "list", "post": "create"})
workspace_detail = views.WorkspaceViewSet.as_view({"get": "retrieve", "patch": "partial_update"})
member_list = views.MembershipViewSet.as_view({"get": "list"})
member_detail = views.MembershipViewSet.as_view({"patch": "partial_update", "delete": "destroy"})
invitation_list = views.InvitationViewSet.as_view({"get": "list", "post": "create"})
invitation_revoke = views.InvitationViewSet.as_view({"post": "revoke"})

urlpatterns = [
    path("workspaces/", workspace_list, name="workspace-list"),
    path("workspaces/<int:pk>/", workspace_detail, name="workspace-detail"),
    path("workspaces/<int:workspace_id>/members/", member_list, name="workspace-member-list"),
    path("workspaces/<int:workspace_id>/members/<int:pk>/", member_detail, name="workspace-member-detail"),
    path("workspaces/<int:workspace_id>/invitations/", invitation_list, name="workspace-invitation-list"),
    path(
        "workspaces/<int:workspace_id>/invitations/<int:pk>/revoke/",
        invitation_revoke,
        name="workspace-invitation-revoke",
    ),
    path("invitations/accept/", views.accept_invitation, name="invitation-accept"),
]
