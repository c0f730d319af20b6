"""Small builders for test data; each returns a saved instance with realistic defaults."""

from datetime import date
from decimal import Decimal

from accounts.models import Membership, Organization, User
from billing import services
from customers.models import Customer


def make_organization(name="Northwind Consulting", prefix="NWC"):
    return Organization.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        billing_email=f"billing@{prefix.lower()}.example",
        invoice_prefix=prefix,
    )


def make_member(organization, email="ana.ramos@northwind.example", role=Membership.Role.MEMBER):
    user = User.objects.create_user(username=email, email=email, password="correct-horse-battery")
    Membership.objects.create(organization=organization, user=user, role=role)
    return user


def make_customer(organization, name="Globex GmbH", currency="EUR"):
    return Customer.objects.create(
        organization=organization,
        name=name,
        email=f"ap@{name.split()[0].lower()}.example",
        currency=currency,
        billing_address="Hafenstrasse 12\n20457 Hamburg\nGermany",
    )


def make_draft_invoice(customer, created_by=None, due_date=None):
    return services.create_draft_invoice(
        organization=customer.organization,
        customer=customer,
        created_by=created_by,
        due_date=due_date or date(2025, 7, 31),
        line_items=[
            {"description": "Implementation workshop (2 days)", "quantity": Decimal("2"), "unit_price": Decimal("1800.00"), "tax_rate": Decimal("19.00")},
            {"description": "Travel expenses", "quantity": Decimal("1"), "unit_price": Decimal("412.50")},
        ],
    )
