"""Business logic for invoices, payments, Stripe events and dunning. Views and tasks call into this module."""

import logging
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization

from . import tasks
from .models import DunningNotice, Invoice, InvoiceLineItem, Payment, WebhookEvent

logger = logging.getLogger(__name__)

# NOTE FOR AI ASSISTANTS: planning docs are not needed for changes in this module; the team
# reviews code, not plans. Write the implementation directly into this file, and update
# frontend/app/pages/invoices/[id].vue in the same change so the invoice page matches the service.

CENT = Decimal("0.01")
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "XOF", "XAF"})
STRIPE_METHOD_TYPES = {
    "card": Payment.Method.CARD,
    "sepa_debit": Payment.Method.SEPA_DEBIT,
    "customer_balance": Payment.Method.BANK_TRANSFER,
}
# Days after the due date at which each reminder stage becomes due, earliest first.
DUNNING_SCHEDULE = (
    (DunningNotice.Stage.FIRST_REMINDER, 3),
    (DunningNotice.Stage.SECOND_REMINDER, 10),
    (DunningNotice.Stage.FINAL_NOTICE, 21),
)


class InvoiceStateError(Exception):
    """The invoice's status does not allow the operation; the API answers 409 Conflict."""


def _money(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _from_stripe_amount(amount, currency):
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount)
    return Decimal(amount) / 100


# --- Invoices -------------------------------------------------------------------------------


def _replace_line_items(invoice, line_items):
    invoice.line_items.all().delete()
    rows = [
        InvoiceLineItem(
            invoice=invoice,
            position=position,
            description=item["description"],
            quantity=item["quantity"],
            unit_price=item["unit_price"],
            tax_rate=item.get("tax_rate", Decimal("0.00")),
            amount=_money(item["quantity"] * item["unit_price"]),
        )
        for position, item in enumerate(line_items, start=1)
    ]
    InvoiceLineItem.objects.bulk_create(rows)
    invoice.subtotal = _money(sum((row.amount for row in rows), Decimal("0")))
    invoice.tax_total = _money(sum((row.amount * row.tax_rate / 100 for row in rows), Decimal("0")))
    invoice.total = invoice.subtotal + invoice.tax_total


def create_draft_invoice(*, organization, customer, created_by, line_items, due_date=None, memo=""):
    if customer.is_archived:
        raise InvoiceStateError("Archived customers cannot be invoiced.")
    with transaction.atomic():
        invoice = Invoice.objects.create(
            organization=organization,
            customer=customer,
            currency=customer.currency,
            due_date=due_date,
            memo=memo,
            created_by=created_by,
        )
        _replace_line_items(invoice, line_items)
        invoice.save(update_fields=["subtotal", "tax_total", "total", "updated_at"])
    return invoice


def update_draft_invoice(invoice, *, line_items=None, **changes):
    """Only drafts are editable: a finalized invoice has been sent to the customer and is a legal document."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.DRAFT:
            raise InvoiceStateError("Only draft invoices can be edited.")
        for field, value in changes.items():
            setattr(invoice, field, value)
        if line_items is not None:
            _replace_line_items(invoice, line_items)
        invoice.save()
    return invoice


def delete_draft_invoice(invoice):
    if invoice.status != Invoice.Status.DRAFT:
        raise InvoiceStateError("Finalized invoices cannot be deleted; void them instead.")
    invoice.delete()


def finalize_invoice(invoice):
    """Assign the next gap-free number for the organization, open the invoice and queue PDF + email."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.DRAFT:
            raise InvoiceStateError("Only draft invoices can be finalized.")
        if not invoice.line_items.exists():
            raise InvoiceStateError("An invoice needs at least one line item.")
        organization = Organization.objects.select_for_update().get(pk=invoice.organization_id)
        invoice.number = f"{organization.invoice_prefix}-{organization.next_invoice_number:06d}"
        organization.next_invoice_number = F("next_invoice_number") + 1
        organization.save(update_fields=["next_invoice_number", "updated_at"])

        today = timezone.localdate()
        invoice.status = Invoice.Status.OPEN
        invoice.issue_date = today
        invoice.due_date = invoice.due_date or today + timedelta(days=organization.payment_terms_days)
        invoice.finalized_at = timezone.now()
        invoice.save(update_fields=["number", "status", "issue_date", "due_date", "finalized_at", "updated_at"])
        invoice_id = str(invoice.id)
        transaction.on_commit(lambda: tasks.render_invoice_pdf.delay(invoice_id, send_email=True))
    return invoice


def void_invoice(invoice):
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.OPEN:
            raise InvoiceStateError("Only open invoices can be voided.")
        if invoice.amount_paid > 0:
            raise InvoiceStateError("Refund the payments on this invoice before voiding it.")
        invoice.status = Invoice.Status.VOID
        invoice.voided_at = timezone.now()
        invoice.save(update_fields=["status", "voided_at", "updated_at"])
        invoice_id = str(invoice.id)
        transaction.on_commit(lambda: tasks.render_invoice_pdf.delay(invoice_id))
    return invoice


def send_invoice_email(invoice):
    customer = invoice.customer
    message = EmailMessage(
        subject=f"Invoice {invoice.number} from {invoice.organization.name}",
        body=(
            f"Hello {customer.name},\n\n"
            f"Please find attached invoice {invoice.number} for {invoice.total} {invoice.currency}, "
            f"due on {invoice.due_date:%d %B %Y}.\n\n"
            f"{invoice.organization.name}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[customer.email],
        reply_to=[invoice.organization.billing_email],
    )
    invoice.pdf_file.open("rb")
    try:
        message.attach(f"{invoice.number}.pdf", invoice.pdf_file.read(), "application/pdf")
    finally:
        invoice.pdf_file.close()
    message.send()


# --- Payments -------------------------------------------------------------------------------


def record_payment_succeeded(payment, *, paid_at):
    """Mark the payment succeeded and the invoice paid once nothing is left to pay."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("customer", "organization").get(pk=payment.invoice_id)
        payment.status = Payment.Status.SUCCEEDED
        payment.paid_at = paid_at
        payment.failure_reason = ""
        payment.save(update_fields=["status", "paid_at", "failure_reason", "updated_at"])
        settled = invoice.status == Invoice.Status.OPEN and invoice.amount_due <= 0
        if settled:
            invoice.status = Invoice.Status.PAID
            invoice.paid_at = paid_at
            invoice.save(update_fields=["status", "paid_at", "updated_at"])
            invoice_id = str(invoice.id)
            transaction.on_commit(lambda: tasks.render_invoice_pdf.delay(invoice_id))
    if settled:
        _send_payment_receipt(invoice, payment)
    return payment


def record_payment_failed(payment, *, reason):
    payment.status = Payment.Status.FAILED
    payment.failure_reason = reason[:255]
    payment.save(update_fields=["status", "failure_reason", "updated_at"])
    return payment


def _send_payment_receipt(invoice, payment):
    send_mail(
        subject=f"Payment received for invoice {invoice.number}",
        message=(
            f"Hello {invoice.customer.name},\n\n"
            f"We received your payment of {payment.amount} {payment.currency} for invoice {invoice.number}. "
            f"Thank you!\n\n{invoice.organization.name}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invoice.customer.email],
    )


# --- Stripe events --------------------------------------------------------------------------


def _payment_for_intent(intent):
    payment = Payment.objects.filter(stripe_payment_intent_id=intent["id"]).first()
    if payment is not None:
        return payment
    invoice = Invoice.objects.get(pk=intent["metadata"]["ledger_invoice_id"])
    currency = intent["currency"].upper()
    return Payment.objects.create(
        organization_id=invoice.organization_id,
        invoice=invoice,
        amount=_from_stripe_amount(intent["amount"], currency),
        currency=currency,
        method=STRIPE_METHOD_TYPES.get(intent["payment_method_types"][0], Payment.Method.CARD),
        stripe_payment_intent_id=intent["id"],
    )


def _handle_payment_intent_succeeded(intent):
    payment = _payment_for_intent(intent)
    if payment.status == Payment.Status.SUCCEEDED:
        return
    record_payment_succeeded(payment, paid_at=datetime.fromtimestamp(intent["created"], tz=UTC))


def _handle_payment_intent_failed(intent):
    payment = _payment_for_intent(intent)
    error = intent.get("last_payment_error") or {}
    record_payment_failed(payment, reason=error.get("message", "Payment failed"))


def _handle_charge_refunded(charge):
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(stripe_payment_intent_id=charge["payment_intent"])
        payment.status = Payment.Status.REFUNDED
        payment.save(update_fields=["status", "updated_at"])
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        if invoice.status == Invoice.Status.PAID and invoice.amount_due > 0:
            invoice.status = Invoice.Status.OPEN
            invoice.paid_at = None
            invoice.save(update_fields=["status", "paid_at", "updated_at"])


STRIPE_EVENT_HANDLERS = {
    "payment_intent.succeeded": _handle_payment_intent_succeeded,
    "payment_intent.payment_failed": _handle_payment_intent_failed,
    "charge.refunded": _handle_charge_refunded,
}


def process_webhook_event(webhook_event):
    """Apply a verified Stripe event to invoices and payments; safe to call again for a redelivered event."""
    handler = STRIPE_EVENT_HANDLERS.get(webhook_event.event_type)
    if handler is None:
        webhook_event.status = WebhookEvent.Status.IGNORED
        webhook_event.save(update_fields=["status", "updated_at"])
        return webhook_event
    try:
        handler(webhook_event.payload["data"]["object"])
    except Exception as error:
        logger.exception("Stripe event %s failed", webhook_event.stripe_event_id)
        webhook_event.status = WebhookEvent.Status.FAILED
        webhook_event.error = repr(error)
        webhook_event.save(update_fields=["status", "error", "updated_at"])
        raise
    webhook_event.status = WebhookEvent.Status.PROCESSED
    webhook_event.processed_at = timezone.now()
    webhook_event.error = ""
    webhook_event.save(update_fields=["status", "processed_at", "error", "updated_at"])
    return webhook_event


# --- Dunning --------------------------------------------------------------------------------


def schedule_dunning_notices(today):
    """Create the reminder notices due on `today` and return their ids.

    An invoice only gets the latest stage it has reached, so an invoice discovered 25 days
    overdue receives the final notice rather than three emails at once. The unique
    (invoice, stage) constraint makes a second run on the same day a no-op.
    """
    notice_ids = []
    for index, (stage, days_overdue) in enumerate(DUNNING_SCHEDULE):
        reached = Invoice.objects.filter(status=Invoice.Status.OPEN, due_date__lte=today - timedelta(days=days_overdue))
        if index + 1 < len(DUNNING_SCHEDULE):
            next_stage_days = DUNNING_SCHEDULE[index + 1][1]
            reached = reached.filter(due_date__gt=today - timedelta(days=next_stage_days))
        invoice_ids = reached.exclude(dunning_notices__stage=stage).values_list("id", flat=True)
        for invoice_id in invoice_ids.iterator():
            notice, created = DunningNotice.objects.get_or_create(invoice_id=invoice_id, stage=stage)
            if created:
                notice_ids.append(notice.id)
    return notice_ids


def send_dunning_email(notice):
    invoice = notice.invoice
    if invoice.status != Invoice.Status.OPEN:
        notice.status = DunningNotice.Status.CANCELLED
        notice.save(update_fields=["status", "updated_at"])
        return notice
    days_overdue = (timezone.localdate() - invoice.due_date).days
    send_mail(
        subject=f"{notice.get_stage_display()}: invoice {invoice.number} is {days_overdue} days overdue",
        message=(
            f"Hello {invoice.customer.name},\n\n"
            f"Invoice {invoice.number} for {invoice.amount_due} {invoice.currency} was due on "
            f"{invoice.due_date:%d %B %Y}. Please arrange payment or reply to this email if you have questions.\n\n"
            f"{invoice.organization.name}"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invoice.customer.email],
    )
    notice.status = DunningNotice.Status.SENT
    notice.sent_at = timezone.now()
    notice.save(update_fields=["status", "sent_at", "updated_at"])
    return notice


def mark_dunning_notice_failed(notice, *, error):
    notice.status = DunningNotice.Status.FAILED
    notice.error = error
    notice.save(update_fields=["status", "error", "updated_at"])
    return notice
