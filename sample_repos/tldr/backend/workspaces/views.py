from django.contrib.auth import login
from django.shortcuts import get_object_or_404
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from .models import Invitation, Membership, Workspace
from .permissions import IsWorkspaceAdmin, IsWorkspaceMember
from .serializers import (
    AcceptInvitationSerializer,
    InvitationSerializer,
    MembershipSerializer,
    WorkspaceSerializer,
)


class WorkspaceViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WorkspaceSerializer
    http_method_names = ["get", "post", "patch"]

    def get_queryset(self):
        return Workspace.objects.for_user(self.request.user)

    def get_permissions(self):
        if self.action == "partial_update":
            return [IsAuthenticated(), IsWorkspaceAdmin()]
        return [IsAuthenticated(), IsWorkspaceMember()]

    def perform_create(self, serializer):
        serializer.instance = Workspace.objects.create_with_owner(
            name=serializer.validated_data["name"],
            owner=self.request.user,
        )


class WorkspaceScopedMixin:
    """For routes under `/api/workspaces/<workspace_id>/…`."""

    def get_workspace(self):
        if not hasattr(self, "_workspace"):
            self._workspace = get_object_or_404(Workspace, pk=self.kwargs["workspace_id"])
        return self._workspace


class MembershipViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MembershipSerializer
    http_method_names = ["get", "patch", "delete"]

    def get_queryset(self):
        return self.get_workspace().memberships.select_related("user").order_by("user__full_name")

    def get_permissions(self):
        if self.action == "list":
            return [IsAuthenticated(), IsWorkspaceMember()]
        return [IsAuthenticated(), IsWorkspaceAdmin()]

    def perform_destroy(self, instance):
        if instance.is_last_owner():
            raise ValidationError("A workspace needs at least one owner.")
        instance.delete()


class InvitationViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated, IsWorkspaceAdmin]

    def get_queryset(self):
        return self.get_workspace().invitations.select_related("invited_by")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "workspace": self.get_workspace()}

    def perform_create(self, serializer):
        serializer.instance = Invitation.objects.invite(
            workspace=self.get_workspace(),
            email=serializer.validated_data["email"],
            role=serializer.validated_data.get("role", Membership.Role.MEMBER),
            invited_by=self.request.user,
        )

    @action(detail=True, methods=["post"])
    def revoke(self, request, workspace_id=None, pk=None):
        invitation = self.get_object()
        if invitation.status != Invitation.Status.PENDING:
            return Response({"detail": "Only pending invitations can be revoked."}, status=status.HTTP_409_CONFLICT)
        invitation.revoke()
        return Response(self.get_serializer(invitation).data)


@api_view(["POST"])
@permission_classes([AllowAny])
def accept_invitation(request):
    serializer = AcceptInvitationSerializer(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    invitation = serializer.context["invitation"]
    if request.user.is_authenticated:
        invitation.accept(request.user)
    else:
        user = invitation.accept_with_new_account(
            full_name=serializer.validated_data["full_name"],
            password=serializer.validated_data["password"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return Response({"workspace": WorkspaceSerializer(invitation.workspace, context={"request": request}).data})
