from smtplib import SMTPException

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import services
from .models import DunningNotice, Invoice
from .pdf import render_invoice_pdf_bytes


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_invoice_pdf(self, invoice_id, send_email=False):
    """Render the invoice PDF from its current state; re-running overwrites the same file, so retries are safe."""
    invoice = (
        Invoice.objects.select_related("organization", "customer")
        .prefetch_related("line_items")
        .get(pk=invoice_id)
    )
    pdf_bytes = render_invoice_pdf_bytes(invoice)
    invoice.pdf_file.save(f"{invoice.number}.pdf", ContentFile(pdf_bytes), save=False)
    invoice.pdf_rendered_at = timezone.now()
    invoice.save(update_fields=["pdf_file", "pdf_rendered_at", "updated_at"])
    if send_email:
        send_invoice_email.delay(invoice_id)


@shared_task(bind=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_invoice_email(self, invoice_id):
    invoice = Invoice.objects.select_related("organization", "customer").get(pk=invoice_id)
    services.send_invoice_email(invoice)


@shared_task
def schedule_dunning_notices():
    """Daily (Celery beat, 07:00 UTC): create today's reminder notices and queue one email task per notice."""
    with transaction.atomic():
        notice_ids = services.schedule_dunning_notices(timezone.localdate())
        for notice_id in notice_ids:
            transaction.on_commit(lambda notice_id=notice_id: send_dunning_notice.delay(str(notice_id)))
    return len(notice_ids)


@shared_task(bind=True, max_retries=4)
def send_dunning_notice(self, notice_id):
    notice = DunningNotice.objects.select_related("invoice__customer", "invoice__organization").get(pk=notice_id)
    if notice.status != DunningNotice.Status.QUEUED:
        return
    try:
        services.send_dunning_email(notice)
    except SMTPException as error:
        if self.request.retries >= self.max_retries:
            services.mark_dunning_notice_failed(notice, error=repr(error))
            return
        raise self.retry(exc=error, countdown=120 * 2**self.request.retries)
