from datetime import date, timedelta
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from billing import services
from billing.models import DunningNotice, Invoice, Payment

from .factories import make_customer, make_draft_invoice, make_organization


class InvoiceLifecycleTests(TestCase):
    def setUp(self):
        self.organization = make_organization()
        self.customer = make_customer(self.organization)

    def test_draft_totals_include_line_item_tax(self):
        invoice = make_draft_invoice(self.customer)

        self.assertEqual(invoice.subtotal, Decimal("4012.50"))
        self.assertEqual(invoice.tax_total, Decimal("684.00"))
        self.assertEqual(invoice.total, Decimal("4696.50"))

    def test_finalize_assigns_sequential_numbers_per_organization(self):
        first = services.finalize_invoice(make_draft_invoice(self.customer))
        second = services.finalize_invoice(make_draft_invoice(self.customer))

        self.assertEqual(first.number, "NWC-000001")
        self.assertEqual(second.number, "NWC-000002")
        self.assertEqual(second.status, Invoice.Status.OPEN)

    def test_finalized_invoice_cannot_be_edited(self):
        invoice = services.finalize_invoice(make_draft_invoice(self.customer))

        with self.assertRaises(services.InvoiceStateError):
            services.update_draft_invoice(invoice, memo="Changed after sending")

    def test_invoice_is_paid_only_when_payments_cover_the_total(self):
        invoice = services.finalize_invoice(make_draft_invoice(self.customer))
        partial = Payment.objects.create(
            organization=self.organization, invoice=invoice, amount=Decimal("2000.00"), currency="EUR", method=Payment.Method.BANK_TRANSFER
        )
        services.record_payment_succeeded(partial, paid_at=timezone.now())
        invoice.refresh_from_db()
        self.assertEqual(invoice.status, Invoice.Status.OPEN)

        rest = Payment.objects.create(
            organization=self.organization, invoice=invoice, amount=Decimal("2696.50"), currency="EUR", method=Payment.Method.BANK_TRANSFER
        )
        services.record_payment_succeeded(rest, paid_at=timezone.now())
        invoice.refresh_from_db()
        self.assertEqual(invoice.status, Invoice.Status.PAID)


class DunningScheduleTests(TestCase):
    def setUp(self):
        customer = make_customer(make_organization())
        self.today = date(2025, 9, 1)
        self.invoice = services.finalize_invoice(make_draft_invoice(customer, due_date=self.today - timedelta(days=25)))

    def test_long_overdue_invoice_only_gets_the_latest_stage(self):
        services.schedule_dunning_notices(self.today)

        stages = list(self.invoice.dunning_notices.values_list("stage", flat=True))
        self.assertEqual(stages, [DunningNotice.Stage.FINAL_NOTICE])

    def test_second_run_on_the_same_day_creates_nothing(self):
        services.schedule_dunning_notices(self.today)

        self.assertEqual(services.schedule_dunning_notices(self.today), [])
