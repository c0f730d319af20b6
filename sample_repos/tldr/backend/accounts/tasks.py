from smtplib import SMTPException

from celery import shared_task

from core.emails import send_templated_email

from .models import User


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id):
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    send_templated_email(
        to=user.email,
        subject="Welcome to TL;DR",
        template_name="welcome",
        context={"user": user},
    )
