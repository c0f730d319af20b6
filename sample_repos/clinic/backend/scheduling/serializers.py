import re

from rest_framework import serializers

from .models import (
    APPOINTMENT_TYPE_CHOICES,
    Appointment,
    AvailabilitySlot,
    Patient,
    Practitioner,
)

E164_PATTERN = re.compile(r"^\+[1-9]\d{7,14}$")


class PractitionerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Practitioner
        fields = ["id", "display_name", "profession", "is_active"]


class PatientSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "date_of_birth",
            "mobile_phone",
            "email",
            "sms_opt_in",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate_mobile_phone(self, value):
        normalised = value.replace(" ", "")
        if not E164_PATTERN.match(normalised):
            raise serializers.ValidationError("Enter the mobile number in international format, e.g. +447700900123.")
        return normalised


class AvailabilitySlotSerializer(serializers.ModelSerializer):
    practitioner_name = serializers.CharField(source="practitioner.display_name", read_only=True)
    is_booked = serializers.SerializerMethodField()

    class Meta:
        model = AvailabilitySlot
        fields = ["id", "practitioner", "practitioner_name", "starts_at", "ends_at", "duration_minutes", "is_booked"]
        read_only_fields = ["duration_minutes"]

    def get_is_booked(self, slot):
        return slot.occupying_appointment_count > 0

    def validate(self, attrs):
        starts_at = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends_at = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts_at and ends_at and ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": "The slot must end after it starts."})
        return attrs


class BookingSerializer(serializers.Serializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.all())
    appointment_type = serializers.ChoiceField(choices=APPOINTMENT_TYPE_CHOICES)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CancellationSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class AppointmentSerializer(serializers.ModelSerializer):
    practitioner_name = serializers.CharField(source="practitioner.display_name", read_only=True)
    patient_name = serializers.CharField(source="patient.full_name", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "practitioner",
            "practitioner_name",
            "patient",
            "patient_name",
            "slot",
            "appointment_type",
            "status",
            "starts_at",
            "ends_at",
            "notes",
            "cancelled_at",
            "cancellation_reason",
            "is_late_cancellation",
            "reminder_sent_at",
            "created_at",
        ]
        read_only_fields = [field for field in fields if field != "notes"]
