from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import InvoiceViewSet, PaymentViewSet
from .webhooks import StripeWebhookView

router = SimpleRouter()
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = [
    path("webhooks/stripe/", StripeWebhookView.as_view(), name="stripe-webhook"),
    *router.urls,
]
