from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response

from .models import Appointment, AvailabilitySlot, BookingConflict, Patient, Practitioner
from .serializers import (
    AppointmentSerializer,
    AvailabilitySlotSerializer,
    BookingSerializer,
    CancellationSerializer,
    PatientSerializer,
    PractitionerSerializer,
)


def conflict_response(error):
    return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


class PractitionerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Practitioner.objects.filter(is_active=True)
    serializer_class = PractitionerSerializer


class PatientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reception (staff) manage every patient; a practitioner sees only patients booked with them."""

    serializer_class = PatientSerializer
    filter_backends = [SearchFilter]
    search_fields = ["last_name", "first_name", "mobile_phone", "email"]

    def get_permissions(self):
        if self.action in ("create", "update", "partial_update"):
            return [IsAdminUser()]
        return [IsAuthenticated()]

    def get_queryset(self):
        patients = Patient.objects.all()
        if self.request.user.is_staff:
            return patients
        return patients.filter(appointments__practitioner__user=self.request.user).distinct()


class AvailabilitySlotViewSet(viewsets.ModelViewSet):
    """Everyone can browse and book slots; practitioners may only change their own."""

    serializer_class = AvailabilitySlotSerializer
    filterset_fields = {"practitioner": ["exact"], "starts_at": ["gte", "lt"]}
    ordering_fields = ["starts_at"]

    def get_queryset(self):
        slots = AvailabilitySlot.objects.select_related("practitioner").with_booking_state()
        if self.request.query_params.get("free") == "true":
            slots = slots.free()
        if self.action in ("list", "retrieve", "book") or self.request.user.is_staff:
            return slots
        return slots.filter(practitioner__user=self.request.user)

    def perform_create(self, serializer):
        if self.request.user.is_staff:
            serializer.save()
            return
        serializer.save(practitioner=self.request.user.practitioner)

    def destroy(self, request, *args, **kwargs):
        try:
            self.get_object().delete_if_free()
        except BookingConflict as error:
            return conflict_response(error)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        slot = self.get_object()
        booking = BookingSerializer(data=request.data)
        booking.is_valid(raise_exception=True)
        try:
            appointment = slot.book(booked_by=request.user, **booking.validated_data)
        except BookingConflict as error:
            return conflict_response(error)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Appointments are created by booking a slot; here they are listed, annotated, cancelled or completed."""

    serializer_class = AppointmentSerializer
    filterset_fields = {
        "practitioner": ["exact"],
        "patient": ["exact"],
        "status": ["exact"],
        "starts_at": ["gte", "lt"],
    }
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return Appointment.objects.visible_to(self.request.user).select_related("practitioner", "patient")

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        appointment = self.get_object()
        cancellation = CancellationSerializer(data=request.data)
        cancellation.is_valid(raise_exception=True)
        try:
            appointment.cancel(reason=cancellation.validated_data["reason"])
        except BookingConflict as error:
            return conflict_response(error)
        return Response(AppointmentSerializer(appointment).data)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        appointment = self.get_object()
        try:
            appointment.complete()
        except BookingConflict as error:
            return conflict_response(error)
        return Response(AppointmentSerializer(appointment).data)
