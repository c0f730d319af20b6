import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from core.models import TimeStampedModel


def generate_invitation_token():
    return secrets.token_urlsafe(32)


def default_invitation_expiry():
    return timezone.now() + settings.INVITATION_TTL


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(memberships__user=user)


class WorkspaceManager(models.Manager.from_queryset(WorkspaceQuerySet)):
    def create_with_owner(self, name, owner):
        with transaction.atomic():
            workspace = self.create(name=name, slug=self._unique_slug(name), created_by=owner)
            Membership.objects.create(workspace=workspace, user=owner, role=Membership.Role.OWNER)
        return workspace

    def _unique_slug(self, name):
        base = slugify(name)[:40] or "workspace"
        slug = base
        suffix = 2
        while self.filter(slug=slug).exists():
            slug = f"{base}-{suffix}"
            suffix += 1
        return slug


class Workspace(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=50, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="created_workspaces",
    )

    objects = WorkspaceManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def workspace_id(self):
        return self.pk

    def is_member(self, user):
        return self.memberships.filter(user=user).exists()


class MembershipQuerySet(models.QuerySet):
    def admins(self):
        return self.filter(role__in=[Membership.Role.OWNER, Membership.Role.ADMIN])


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="unique_workspace_membership"),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def is_admin(self):
        return self.role in (self.Role.OWNER, self.Role.ADMIN)

    def is_last_owner(self):
        if self.role != self.Role.OWNER:
            return False
        return not self.workspace.memberships.filter(role=self.Role.OWNER).exclude(pk=self.pk).exists()


class InvitationManager(models.Manager):
    def invite(self, workspace, email, role, invited_by):
        from .tasks import send_invitation_email

        with transaction.atomic():
            invitation = self.create(
                workspace=workspace,
                email=email.lower(),
                role=role,
                invited_by=invited_by,
            )
            transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk))
        return invitation


class Invitation(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=generate_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="sent_invitations",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=Q(status="pending"),
                name="unique_pending_invitation",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.workspace} ({self.status})"

    @property
    def is_usable(self):
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()

    def accept(self, user):
        from activity.models import ActivityEvent

        with transaction.atomic():
            membership, _ = Membership.objects.get_or_create(
                workspace=self.workspace,
                user=user,
                defaults={"role": self.role},
            )
            self.status = self.Status.ACCEPTED
            self.accepted_at = timezone.now()
            self.save(update_fields=["status", "accepted_at", "updated_at"])
            ActivityEvent.objects.record(
                workspace_id=self.workspace_id,
                verb=ActivityEvent.Verb.MEMBER_JOINED,
                actor=user,
                role=membership.role,
            )
        return membership

    def accept_with_new_account(self, full_name, password):
        from accounts.tasks import send_welcome_email

        with transaction.atomic():
            user = get_user_model().objects.create_user(email=self.email, password=password, full_name=full_name)
            self.accept(user)
            transaction.on_commit(lambda: send_welcome_email.delay(user.pk))
        return user

    def revoke(self):
        self.status = self.Status.REVOKED
        self.save(update_fields=["status", "updated_at"])
