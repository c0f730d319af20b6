"""Practitioners, patients, the slots they publish and the appointments booked into them.

House style: business rules live here, as model methods and queryset methods.
Views and serializers only translate HTTP to these calls.
"""
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

PROFESSION_PHYSIOTHERAPIST = "physiotherapist"
PROFESSION_SPORTS_MASSAGE_THERAPIST = "sports_massage_therapist"
PROFESSION_OSTEOPATH = "osteopath"
PROFESSION_CHOICES = [
    (PROFESSION_PHYSIOTHERAPIST, "Physiotherapist"),
    (PROFESSION_SPORTS_MASSAGE_THERAPIST, "Sports massage therapist"),
    (PROFESSION_OSTEOPATH, "Osteopath"),
]

APPOINTMENT_TYPE_INITIAL_ASSESSMENT = "initial_assessment"
APPOINTMENT_TYPE_FOLLOW_UP = "follow_up"
APPOINTMENT_TYPE_SPORTS_MASSAGE = "sports_massage"
APPOINTMENT_TYPE_CHOICES = [
    (APPOINTMENT_TYPE_INITIAL_ASSESSMENT, "Initial assessment"),
    (APPOINTMENT_TYPE_FOLLOW_UP, "Follow-up"),
    (APPOINTMENT_TYPE_SPORTS_MASSAGE, "Sports massage"),
]
APPOINTMENT_TYPE_MINUTES = {
    APPOINTMENT_TYPE_INITIAL_ASSESSMENT: 45,
    APPOINTMENT_TYPE_FOLLOW_UP: 30,
    APPOINTMENT_TYPE_SPORTS_MASSAGE: 60,
}

STATUS_BOOKED = "booked"
STATUS_COMPLETED = "completed"
STATUS_CANCELLED = "cancelled"
STATUS_CHOICES = [
    (STATUS_BOOKED, "Booked"),
    (STATUS_COMPLETED, "Completed"),
    (STATUS_CANCELLED, "Cancelled"),
]
SLOT_OCCUPYING_STATUSES = (STATUS_BOOKED, STATUS_COMPLETED)

LATE_CANCELLATION_WINDOW = timedelta(hours=24)
REMINDER_LEAD_TIME = timedelta(hours=24)


class BookingConflict(Exception):
    """The requested change clashes with the diary (slot taken, wrong status, in the past)."""


class Practitioner(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner")
    display_name = models.CharField(max_length=120)
    profession = models.CharField(max_length=40, choices=PROFESSION_CHOICES, default=PROFESSION_PHYSIOTHERAPIST)
    hcpc_number = models.CharField(max_length=20, blank=True, help_text="HCPC registration, e.g. PH123456")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


class Patient(models.Model):
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    mobile_phone = models.CharField(max_length=20, help_text="E.164, e.g. +447700900123")
    email = models.EmailField(blank=True)
    sms_opt_in = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="patient_name_idx")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class AvailabilitySlotQuerySet(models.QuerySet):
    def free(self):
        return self.exclude(appointments__status__in=SLOT_OCCUPYING_STATUSES)

    def upcoming(self):
        return self.filter(starts_at__gt=timezone.now())

    def with_booking_state(self):
        return self.annotate(
            occupying_appointment_count=Count(
                "appointments", filter=Q(appointments__status__in=SLOT_OCCUPYING_STATUSES)
            )
        )


class AvailabilitySlot(models.Model):
    """A period a practitioner has opened for booking. At most one live appointment fills it."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AvailabilitySlotQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "starts_at"], name="unique_slot_start_per_practitioner"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.practitioner} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def is_free(self):
        return not self.appointments.filter(status__in=SLOT_OCCUPYING_STATUSES).exists()

    def book(self, patient, appointment_type, booked_by, notes=""):
        if self.starts_at <= timezone.now():
            raise BookingConflict("This slot has already started.")
        if self.duration_minutes < APPOINTMENT_TYPE_MINUTES[appointment_type]:
            raise BookingConflict(
                f"A {APPOINTMENT_TYPE_MINUTES[appointment_type]}-minute appointment does not fit this slot."
            )
        if not self.is_free():
            raise BookingConflict("This slot has already been booked.")
        return Appointment.objects.create(
            practitioner=self.practitioner,
            patient=patient,
            slot=self,
            appointment_type=appointment_type,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            notes=notes,
            booked_by=booked_by,
        )

    def delete_if_free(self):
        if not self.is_free():
            raise BookingConflict("Cancel the appointment in this slot before removing it.")
        self.delete()


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_staff:
            return self
        return self.filter(practitioner__user=user)

    def upcoming(self):
        return self.filter(status=STATUS_BOOKED, starts_at__gt=timezone.now())

    def due_for_reminder(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=STATUS_BOOKED,
            reminder_sent_at__isnull=True,
            patient__sms_opt_in=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_LEAD_TIME,
        )


class Appointment(models.Model):
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(AvailabilitySlot, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.CharField(max_length=30, choices=APPOINTMENT_TYPE_CHOICES)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=STATUS_BOOKED)
    starts_at = models.DateTimeField(help_text="Copied from the slot so diary queries need no join")
    ends_at = models.DateTimeField()
    notes = models.TextField(blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=255, blank=True)
    is_late_cancellation = models.BooleanField(default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["practitioner", "starts_at"], name="appt_practitioner_start_idx"),
            models.Index(fields=["patient", "starts_at"], name="appt_patient_start_idx"),
            models.Index(fields=["status", "starts_at"], name="appt_status_start_idx"),
        ]

    def __str__(self):
        return f"{self.patient} with {self.practitioner} at {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def cancel(self, reason=""):
        if self.status != STATUS_BOOKED:
            raise BookingConflict(f"Only booked appointments can be cancelled (this one is {self.status}).")
        now = timezone.now()
        self.status = STATUS_CANCELLED
        self.cancelled_at = now
        self.cancellation_reason = reason
        self.is_late_cancellation = self.starts_at - now < LATE_CANCELLATION_WINDOW
        self.save(update_fields=["status", "cancelled_at", "cancellation_reason", "is_late_cancellation", "updated_at"])

    def complete(self):
        if self.status != STATUS_BOOKED:
            raise BookingConflict(f"Only booked appointments can be completed (this one is {self.status}).")
        if self.starts_at > timezone.now():
            raise BookingConflict("An appointment cannot be completed before it starts.")
        self.status = STATUS_COMPLETED
        self.save(update_fields=["status", "updated_at"])

    def needs_reminder(self):
        return (
            self.status == STATUS_BOOKED
            and self.reminder_sent_at is None
            and self.patient.sms_opt_in
            and self.starts_at > timezone.now()
        )

    def reminder_text(self):
        local_start = timezone.localtime(self.starts_at)
        return (
            f"Hi {self.patient.first_name}, a reminder of your {self.get_appointment_type_display().lower()} "
            f"with {self.practitioner.display_name} on {local_start:%a %d %b at %H:%M}. "
            f"To change it please call us on {settings.CLINIC_PHONE_NUMBER}."
        )

    def mark_reminder_sent(self):
        self.reminder_sent_at = timezone.now()
        self.save(update_fields=["reminder_sent_at", "updated_at"])
