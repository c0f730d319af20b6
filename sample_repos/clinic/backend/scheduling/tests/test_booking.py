from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework import status
from rest_framework.test import APITestCase

from scheduling.models import (
    APPOINTMENT_TYPE_FOLLOW_UP,
    APPOINTMENT_TYPE_INITIAL_ASSESSMENT,
    STATUS_CANCELLED,
    Appointment,
    AvailabilitySlot,
    Patient,
    Practitioner,
)

User = get_user_model()


class BookingTestCase(APITestCase):
    def setUp(self):
        self.receptionist = User.objects.create_user("frontdesk", password="pw", is_staff=True)
        self.physio_user = User.objects.create_user("aisha.khan", password="pw")
        self.physio = Practitioner.objects.create(user=self.physio_user, display_name="Aisha Khan")
        other_user = User.objects.create_user("tom.reid", password="pw")
        self.other_physio = Practitioner.objects.create(user=other_user, display_name="Tom Reid")
        self.patient = Patient.objects.create(
            first_name="Megan",
            last_name="Doyle",
            date_of_birth=date(1987, 3, 14),
            mobile_phone="+447700900123",
        )
        start = timezone.now() + timedelta(days=3)
        self.slot = AvailabilitySlot.objects.create(
            practitioner=self.physio, starts_at=start, ends_at=start + timedelta(minutes=45)
        )

    def book(self, slot, appointment_type=APPOINTMENT_TYPE_FOLLOW_UP):
        url = reverse("availability-slot-book", args=[slot.pk])
        return self.client.post(url, {"patient": self.patient.pk, "appointmentType": appointment_type}, format="json")

    def test_booking_a_free_slot_creates_an_appointment(self):
        self.client.force_authenticate(self.receptionist)
        response = self.book(self.slot, APPOINTMENT_TYPE_INITIAL_ASSESSMENT)
        self.assertEqual(response.status_code, status.HTTP_201_CREATED)
        self.assertEqual(response.data["status"], "booked")
        self.assertEqual(response.data["practitioner_name"], "Aisha Khan")

    def test_booking_a_taken_slot_is_a_conflict(self):
        self.client.force_authenticate(self.receptionist)
        self.book(self.slot)
        response = self.book(self.slot)
        self.assertEqual(response.status_code, status.HTTP_409_CONFLICT)
        self.assertEqual(Appointment.objects.count(), 1)

    def test_appointment_type_longer_than_slot_is_a_conflict(self):
        short_start = self.slot.starts_at + timedelta(hours=2)
        short_slot = AvailabilitySlot.objects.create(
            practitioner=self.physio, starts_at=short_start, ends_at=short_start + timedelta(minutes=30)
        )
        self.client.force_authenticate(self.receptionist)
        response = self.book(short_slot, APPOINTMENT_TYPE_INITIAL_ASSESSMENT)
        self.assertEqual(response.status_code, status.HTTP_409_CONFLICT)

    def test_cancelling_within_24_hours_is_flagged_late(self):
        soon = timezone.now() + timedelta(hours=5)
        slot = AvailabilitySlot.objects.create(
            practitioner=self.physio, starts_at=soon, ends_at=soon + timedelta(minutes=30)
        )
        appointment = slot.book(self.patient, APPOINTMENT_TYPE_FOLLOW_UP, booked_by=self.receptionist)
        self.client.force_authenticate(self.receptionist)
        response = self.client.post(
            reverse("appointment-cancel", args=[appointment.pk]), {"reason": "Childcare fell through"}, format="json"
        )
        self.assertEqual(response.status_code, status.HTTP_200_OK)
        appointment.refresh_from_db()
        self.assertEqual(appointment.status, STATUS_CANCELLED)
        self.assertTrue(appointment.is_late_cancellation)
        self.assertTrue(slot.is_free())

    def test_practitioner_only_sees_own_appointments(self):
        self.slot.book(self.patient, APPOINTMENT_TYPE_FOLLOW_UP, booked_by=self.receptionist)
        other_start = self.slot.starts_at + timedelta(hours=1)
        other_slot = AvailabilitySlot.objects.create(
            practitioner=self.other_physio, starts_at=other_start, ends_at=other_start + timedelta(minutes=30)
        )
        other_appointment = other_slot.book(self.patient, APPOINTMENT_TYPE_FOLLOW_UP, booked_by=self.receptionist)
        self.client.force_authenticate(self.physio_user)
        response = self.client.get(reverse("appointment-list"))
        self.assertEqual(response.data["count"], 1)
        detail = self.client.get(reverse("appointment-detail", args=[other_appointment.pk]))
        self.assertEqual(detail.status_code, status.HTTP_404_NOT_FOUND)


class ReminderSelectionTestCase(APITestCase):
    def test_due_for_reminder_skips_opted_out_and_already_reminded(self):
        user = User.objects.create_user("lena.hart", password="pw")
        physio = Practitioner.objects.create(user=user, display_name="Lena Hart")
        start = timezone.now() + timedelta(hours=20)
        due = []
        for index, (opt_in, reminded) in enumerate([(True, False), (False, False), (True, True)]):
            patient = Patient.objects.create(
                first_name=f"Patient{index}",
                last_name="Jones",
                date_of_birth=date(1990, 1, 1),
                mobile_phone=f"+44770090010{index}",
                sms_opt_in=opt_in,
            )
            slot_start = start + timedelta(hours=index)
            slot = AvailabilitySlot.objects.create(
                practitioner=physio, starts_at=slot_start, ends_at=slot_start + timedelta(minutes=30)
            )
            appointment = slot.book(patient, APPOINTMENT_TYPE_FOLLOW_UP, booked_by=user)
            if reminded:
                appointment.mark_reminder_sent()
            due.append(appointment)
        self.assertEqual(list(Appointment.objects.due_for_reminder()), [due[0]])
