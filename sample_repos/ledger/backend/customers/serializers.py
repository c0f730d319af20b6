from rest_framework import serializers

from .models import Customer


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "email",
            "billing_address",
            "tax_id",
            "currency",
            "is_archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "is_archived", "created_at", "updated_at"]

    def validate_currency(self, value):
        if len(value) != 3 or not value.isalpha():
            raise serializers.ValidationError("Use a three-letter ISO 4217 currency code.")
        return value.upper()


class CustomerSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "email", "currency"]
        read_only_fields = fields
