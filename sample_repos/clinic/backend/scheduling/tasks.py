import logging

from celery import shared_task

from .models import Appointment
from .sms import SmsGatewayError, SmsRejected, send_sms

logger = logging.getLogger(__name__)


@shared_task
def send_due_reminders():
    """Beat job (every 10 minutes): queue a reminder for each appointment now inside the 24-hour window."""
    appointment_ids = list(Appointment.objects.due_for_reminder().values_list("id", flat=True))
    for appointment_id in appointment_ids:
        send_appointment_reminder.delay(appointment_id)
    return len(appointment_ids)


@shared_task(
    bind=True,
    autoretry_for=(SmsGatewayError,),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=4,
)
def send_appointment_reminder(self, appointment_id):
    appointment = (
        Appointment.objects.select_related("patient", "practitioner").filter(pk=appointment_id).first()
    )
    if appointment is None or not appointment.needs_reminder():
        return "skipped"
    try:
        send_sms(appointment.patient.mobile_phone, appointment.reminder_text())
    except SmsRejected:
        logger.warning("Reminder for appointment %s rejected by the SMS gateway", appointment_id)
        return "rejected"
    appointment.mark_reminder_sent()
    return "sent"
