import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from core.models import TimeStampedModel


class User(AbstractUser, TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)


class Organization(TimeStampedModel):
    """A Ledger tenant: the business that issues invoices to its customers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    billing_email = models.EmailField()
    default_currency = models.CharField(max_length=3, default="EUR")
    invoice_prefix = models.CharField(max_length=12)
    next_invoice_number = models.PositiveIntegerField(default=1)
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    stripe_account_id = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return self.name


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="unique_membership_per_organization"),
        ]

    def __str__(self):
        return f"{self.user.email} in {self.organization.name} ({self.role})"
