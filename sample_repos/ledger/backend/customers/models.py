import uuid

from django.db import models
from django.db.models import Q

from accounts.models import Organization
from core.models import TimeStampedModel


class Customer(TimeStampedModel):
    """A business that an organization invoices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    billing_address = models.TextField(blank=True)
    tax_id = models.CharField(max_length=32, blank=True)
    currency = models.CharField(max_length=3)
    stripe_customer_id = models.CharField(max_length=64, blank=True)
    is_archived = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "name"], name="customer_org_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stripe_customer_id"],
                condition=~Q(stripe_customer_id=""),
                name="unique_stripe_customer_per_org",
            ),
        ]

    def __str__(self):
        return self.name
