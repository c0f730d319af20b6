from smtplib import SMTPException

from celery import shared_task

from core.emails import send_templated_email

from .models import Comment


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_mention_emails(comment_id):
    comment = (
        Comment.objects.visible()
        .select_related("author", "task__project")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return
    recipients = comment.mentions.filter(is_active=True).exclude(pk=comment.author_id)
    for recipient in recipients:
        send_templated_email(
            to=recipient.email,
            subject=f"{comment.author.full_name} mentioned you on {comment.task.key}",
            template_name="mention",
            context={"recipient": recipient, "comment": comment, "task": comment.task},
        )
