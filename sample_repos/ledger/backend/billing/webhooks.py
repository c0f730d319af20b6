import hashlib
import hmac
import json
import time

from django.conf import settings
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization

from . import services
from .models import WebhookEvent


class InvalidSignature(Exception):
    pass


def verify_stripe_signature(payload, signature_header, secret, tolerance_seconds):
    """Check a `Stripe-Signature: t=<unix>,v1=<hex hmac>` header against the raw request body."""
    parts = [item.split("=", 1) for item in signature_header.split(",") if "=" in item]
    timestamps = [value for key, value in parts if key == "t"]
    signatures = [value for key, value in parts if key == "v1"]
    if not timestamps or not signatures:
        raise InvalidSignature("Malformed Stripe-Signature header.")
    try:
        timestamp = int(timestamps[0])
    except ValueError as error:
        raise InvalidSignature("Malformed timestamp.") from error
    if abs(time.time() - timestamp) > tolerance_seconds:
        raise InvalidSignature("Timestamp outside the tolerance window.")
    signed_payload = f"{timestamp}.".encode() + payload
    expected = hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("No matching signature.")


class StripeWebhookView(APIView):
    """Receives Stripe events. Stripe authenticates by signature, so this view has no session auth and no
    IsOrganizationMember: the organization is resolved from the event's connected `account`."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        payload = request.body
        try:
            verify_stripe_signature(
                payload,
                request.headers.get("Stripe-Signature", ""),
                settings.STRIPE_WEBHOOK_SECRET,
                settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
            )
        except InvalidSignature as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)

        event = json.loads(payload)
        account_id = event.get("account")
        organization = Organization.objects.filter(stripe_account_id=account_id).first() if account_id else None
        webhook_event, created = WebhookEvent.objects.get_or_create(
            stripe_event_id=event["id"],
            defaults={"event_type": event["type"], "payload": event, "organization": organization},
        )
        if not created and webhook_event.status in (WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED):
            return Response({"received": True})

        services.process_webhook_event(webhook_event)
        return Response({"received": True})
