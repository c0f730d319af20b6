from decimal import Decimal

from rest_framework import serializers

from customers.models import Customer
from customers.serializers import CustomerSummarySerializer

from .models import DunningNotice, Invoice, InvoiceLineItem, Payment


class InvoiceLineItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLineItem
        fields = ["id", "position", "description", "quantity", "unit_price", "tax_rate", "amount"]
        read_only_fields = fields


class LineItemInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.00"))
    tax_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.00"), max_value=Decimal("100.00"), required=False
    )


class PaymentSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "amount",
            "currency",
            "status",
            "method",
            "paid_at",
            "failure_reason",
            "created_at",
        ]
        read_only_fields = fields


class DunningNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DunningNotice
        fields = ["id", "stage", "status", "sent_at", "created_at"]
        read_only_fields = fields


class InvoiceListSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    line_item_count = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "customer_name",
            "currency",
            "total",
            "amount_due",
            "issue_date",
            "due_date",
            "is_overdue",
            "line_item_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_line_item_count(self, invoice):
        return invoice.line_items.count()


class InvoiceDetailSerializer(serializers.ModelSerializer):
    customer = CustomerSummarySerializer(read_only=True)
    line_items = InvoiceLineItemSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    dunning_notices = DunningNoticeSerializer(many=True, read_only=True)
    amount_paid = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    amount_due = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "currency",
            "issue_date",
            "due_date",
            "subtotal",
            "tax_total",
            "total",
            "amount_paid",
            "amount_due",
            "is_overdue",
            "memo",
            "line_items",
            "payments",
            "dunning_notices",
            "has_pdf",
            "finalized_at",
            "paid_at",
            "voided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_pdf(self, invoice):
        return bool(invoice.pdf_file)


class InvoiceWriteSerializer(serializers.Serializer):
    """Input for creating and editing drafts. The customer must belong to the request's organization."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    due_date = serializers.DateField(required=False, allow_null=True)
    memo = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    line_items = LineItemInputSerializer(many=True, allow_empty=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context["request"]
        self.fields["customer"].queryset = Customer.objects.filter(organization=request.organization)
