from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

from accounts.serializers import UserSummarySerializer

from .models import Invitation, Membership, Workspace

User = get_user_model()


class WorkspaceSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "role", "created_at"]
        read_only_fields = ["id", "slug", "role", "created_at"]

    def get_role(self, workspace):
        membership = workspace.memberships.filter(user=self.context["request"].user).first()
        return membership.role if membership else None


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = ["id", "user", "created_at"]

    def validate_role(self, role):
        if self.instance and self.instance.is_last_owner() and role != Membership.Role.OWNER:
            raise serializers.ValidationError("A workspace needs at least one owner.")
        return role


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "sent_at", "expires_at", "created_at"]
        read_only_fields = ["id", "status", "invited_by", "sent_at", "expires_at", "created_at"]

    def validate_email(self, email):
        workspace = self.context["workspace"]
        email = email.lower()
        if workspace.memberships.filter(user__email=email).exists():
            raise serializers.ValidationError("This person is already a member of the workspace.")
        if workspace.invitations.filter(email=email, status=Invitation.Status.PENDING).exists():
            raise serializers.ValidationError("There is already a pending invitation for this email.")
        return email


class AcceptInvitationSerializer(serializers.Serializer):
    token = serializers.CharField()
    full_name = serializers.CharField(max_length=150, required=False)
    password = serializers.CharField(write_only=True, required=False, trim_whitespace=False)

    def validate_token(self, token):
        invitation = Invitation.objects.select_related("workspace").filter(token=token).first()
        if invitation is None or not invitation.is_usable:
            raise serializers.ValidationError("This invitation is invalid or has expired.")
        self.context["invitation"] = invitation
        return token

    def validate(self, attrs):
        request = self.context["request"]
        if request.user.is_authenticated:
            return attrs
        invitation = self.context["invitation"]
        if User.objects.filter(email=invitation.email).exists():
            raise serializers.ValidationError("Sign in with this email to accept the invitation.")
        if not attrs.get("full_name") or not attrs.get("password"):
            raise serializers.ValidationError("fullName and password are required to create an account.")
        validate_password(attrs["password"])
        return attrs
