from rest_framework.permissions import BasePermission

from .models import Membership


class IsWorkspaceMember(BasePermission):
    """Allows access only to members of the workspace a request is about.

    Collection routes nested under a parent (`/api/workspaces/<id>/…`, `/api/projects/<id>/…`)
    expose the workspace through the view's `get_workspace()`; object routes rely on the
    object's `workspace_id`.
    """

    message = "You are not a member of this workspace."

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        get_workspace = getattr(view, "get_workspace", None)
        if get_workspace is None:
            return True
        workspace = get_workspace()
        if workspace is None:
            return True
        return self.membership_for(request.user, workspace.pk) is not None

    def has_object_permission(self, request, view, obj):
        return self.membership_for(request.user, obj.workspace_id) is not None

    def membership_for(self, user, workspace_id):
        return Membership.objects.filter(workspace_id=workspace_id, user=user).first()


class IsWorkspaceAdmin(IsWorkspaceMember):
    """Like IsWorkspaceMember, but the member must be an owner or admin."""

    message = "Only workspace owners and admins can do this."

    def membership_for(self, user, workspace_id):
        return Membership.objects.admins().filter(workspace_id=workspace_id, user=user).first()
