import hashlib
import hmac
import json
import time

from django.conf import settings
from django.test import TestCase
from rest_framework import status

from billing import services
from billing.models import Invoice, Payment, WebhookEvent

from .factories import make_customer, make_draft_invoice, make_organization


def signed_headers(body):
    timestamp = int(time.time())
    signature = hmac.new(
        settings.STRIPE_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return {"HTTP_STRIPE_SIGNATURE": f"t={timestamp},v1={signature}"}


class StripeWebhookTests(TestCase):
    def setUp(self):
        customer = make_customer(make_organization())
        self.invoice = services.finalize_invoice(make_draft_invoice(customer))
        self.event = {
            "id": "evt_1PqR7sKx2bQ9yZ",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": "pi_3PqR7rKx2bQ9yZ0",
                    "amount": 469650,
                    "currency": "eur",
                    "created": 1751371200,
                    "payment_method_types": ["sepa_debit"],
                    "metadata": {"ledger_invoice_id": str(self.invoice.id)},
                }
            },
        }

    def post_event(self, body, headers):
        return self.client.post("/api/v1/webhooks/stripe/", data=body, content_type="application/json", **headers)

    def test_succeeded_intent_pays_the_invoice(self):
        body = json.dumps(self.event).encode()

        response = self.post_event(body, signed_headers(body))

        self.assertEqual(response.status_code, status.HTTP_200_OK)
        self.invoice.refresh_from_db()
        self.assertEqual(self.invoice.status, Invoice.Status.PAID)
        self.assertEqual(Payment.objects.get().method, Payment.Method.SEPA_DEBIT)

    def test_redelivered_event_is_applied_once(self):
        body = json.dumps(self.event).encode()

        self.post_event(body, signed_headers(body))
        self.post_event(body, signed_headers(body))

        self.assertEqual(Payment.objects.count(), 1)
        self.assertEqual(WebhookEvent.objects.get().status, WebhookEvent.Status.PROCESSED)

    def test_bad_signature_is_rejected(self):
        body = json.dumps(self.event).encode()

        response = self.post_event(body, {"HTTP_STRIPE_SIGNATURE": "t=1751371200,v1=deadbeef"})

        self.assertEqual(response.status_code, status.HTTP_400_BAD_REQUEST)
        self.assertFalse(WebhookEvent.objects.exists())
