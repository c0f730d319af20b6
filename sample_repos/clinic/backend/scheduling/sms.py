"""Client for the practice's SMS gateway (Textlocal-style form POST API)."""
import requests
from django.conf import settings


class SmsGatewayError(Exception):
    """The gateway could not be reached or failed on its side; worth retrying."""


class SmsRejected(Exception):
    """The gateway refused the message (bad number, no credit); retrying will not help."""


def send_sms(to, body):
    """Send one text message and return the gateway's message id."""
    try:
        response = requests.post(
            settings.SMS_GATEWAY_URL,
            data={
                "apikey": settings.SMS_GATEWAY_API_KEY,
                "numbers": to,
                "sender": settings.SMS_SENDER_ID,
                "message": body,
            },
            timeout=10,
        )
    except requests.RequestException as exc:
        raise SmsGatewayError(f"SMS gateway unreachable: {exc}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise SmsGatewayError(f"SMS gateway returned {response.status_code}")
    payload = response.json()
    if response.status_code >= 400 or payload.get("status") != "success":
        raise SmsRejected(f"SMS to {to} rejected: {payload.get('errors')}")
    return payload["messages"][0]["id"]
