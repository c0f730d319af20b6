from django.db import transaction

from billing.models import Invoice

from .models import Customer


class CustomerArchiveError(Exception):
    pass


def create_customer(*, organization, name, email, currency=None, billing_address="", tax_id=""):
    return Customer.objects.create(
        organization=organization,
        name=name,
        email=email,
        currency=(currency or organization.default_currency).upper(),
        billing_address=billing_address,
        tax_id=tax_id,
    )


def update_customer(customer, **changes):
    """Apply a partial update. Currency is fixed once the customer has invoices, because totals are stored per currency."""
    if "currency" in changes and changes["currency"].upper() != customer.currency and customer.invoices.exists():
        raise ValueError("The currency of a customer with invoices cannot change.")
    for field, value in changes.items():
        setattr(customer, field, value.upper() if field == "currency" else value)
    customer.save(update_fields=[*changes.keys(), "updated_at"])
    return customer


@transaction.atomic
def archive_customer(customer):
    """Archived customers cannot receive new invoices; open invoices must be settled or voided first."""
    if customer.invoices.filter(status__in=[Invoice.Status.DRAFT, Invoice.Status.OPEN]).exists():
        raise CustomerArchiveError("Settle or void this customer's draft and open invoices before archiving.")
    customer.is_archived = True
    customer.save(update_fields=["is_archived", "updated_at"])
    return customer
