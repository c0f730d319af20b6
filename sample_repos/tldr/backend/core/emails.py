from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def send_templated_email(to, subject, template_name, context):
    """Render `templates/emails/<template_name>.txt` and send it as a plain-text email."""
    body = render_to_string(
        f"emails/{template_name}.txt",
        {**context, "frontend_url": settings.FRONTEND_URL},
    )
    send_mail(
        subject=subject,
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[to],
        fail_silently=False,
    )
