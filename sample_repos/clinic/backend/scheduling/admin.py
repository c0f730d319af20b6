from django.contrib import admin

from .models import Appointment, AvailabilitySlot, Patient, Practitioner


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "profession", "hcpc_number", "is_active"]
    list_filter = ["profession", "is_active"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "mobile_phone", "sms_opt_in"]
    search_fields = ["last_name", "first_name", "mobile_phone", "email"]


@admin.register(AvailabilitySlot)
class AvailabilitySlotAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "starts_at", "ends_at"]
    list_filter = ["practitioner"]
    date_hierarchy = "starts_at"


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "patient", "practitioner", "appointment_type", "status", "reminder_sent_at"]
    list_filter = ["status", "appointment_type", "practitioner"]
    list_select_related = ["patient", "practitioner"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["patient", "slot", "booked_by"]
