import django_filters
from django.utils import timezone

from .models import Invoice, Payment


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Invoice.Status.choices)
    customer = django_filters.UUIDFilter(field_name="customer_id")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Invoice
        fields = ["status", "customer", "currency"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status": Invoice.Status.OPEN, "due_date__lt": timezone.localdate()}
        if value:
            return queryset.filter(**overdue)
        return queryset.exclude(**overdue)


class PaymentFilter(django_filters.FilterSet):
    invoice = django_filters.UUIDFilter(field_name="invoice_id")
    status = django_filters.MultipleChoiceFilter(choices=Payment.Status.choices)

    class Meta:
        model = Payment
        fields = ["invoice", "status", "method"]
