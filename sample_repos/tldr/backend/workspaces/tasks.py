from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from core.emails import send_templated_email

from .models import Invitation


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id):
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(pk=invitation_id, status=Invitation.Status.PENDING, sent_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    send_templated_email(
        to=invitation.email,
        subject=f"You're invited to {invitation.workspace.name} on TL;DR",
        template_name="invitation",
        context={"invitation": invitation},
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


@shared_task
def expire_stale_invitations():
    return Invitation.objects.filter(
        status=Invitation.Status.PENDING,
        expires_at__lte=timezone.now(),
    ).update(status=Invitation.Status.EXPIRED, updated_at=timezone.now())
