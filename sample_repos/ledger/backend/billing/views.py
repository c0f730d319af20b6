from django.http import FileResponse
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import Conflict, OrganizationScopedMixin
from core.permissions import IsOrganizationMember

from . import services
from .filters import InvoiceFilter, PaymentFilter
from .models import Invoice, Payment
from .serializers import (
    InvoiceDetailSerializer,
    InvoiceListSerializer,
    InvoiceWriteSerializer,
    PaymentSerializer,
)


class InvoiceViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Invoice.objects.all()
    permission_classes = [IsAuthenticated, IsOrganizationMember]
    filterset_class = InvoiceFilter
    search_fields = ["number", "customer__name"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset
        return queryset.select_related("customer").prefetch_related("line_items", "payments", "dunning_notices")

    def get_serializer_class(self):
        if self.action == "list":
            return InvoiceListSerializer
        if self.action in ("create", "partial_update"):
            return InvoiceWriteSerializer
        return InvoiceDetailSerializer

    def _detail(self, invoice, status_code=status.HTTP_200_OK):
        invoice = self.get_queryset().get(pk=invoice.pk)
        return Response(InvoiceDetailSerializer(invoice, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            invoice = services.create_draft_invoice(
                organization=request.organization, created_by=request.user, **serializer.validated_data
            )
        except services.InvoiceStateError as error:
            raise Conflict(str(error)) from error
        return self._detail(invoice, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        invoice = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("customer", None)
        try:
            invoice = services.update_draft_invoice(invoice, **changes)
        except services.InvoiceStateError as error:
            raise Conflict(str(error)) from error
        return self._detail(invoice)

    def destroy(self, request, pk=None):
        invoice = self.get_object()
        try:
            services.delete_draft_invoice(invoice)
        except services.InvoiceStateError as error:
            raise Conflict(str(error)) from error
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        try:
            invoice = services.finalize_invoice(self.get_object())
        except services.InvoiceStateError as error:
            raise Conflict(str(error)) from error
        return self._detail(invoice)

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        try:
            invoice = services.void_invoice(self.get_object())
        except services.InvoiceStateError as error:
            raise Conflict(str(error)) from error
        return self._detail(invoice)

    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        if not invoice.pdf_file:
            raise NotFound("The PDF for this invoice has not been rendered yet.")
        return FileResponse(invoice.pdf_file.open("rb"), as_attachment=True, filename=f"{invoice.number}.pdf")


class PaymentViewSet(OrganizationScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Payment.objects.select_related("invoice")
    serializer_class = PaymentSerializer
    permission_classes = [IsAuthenticated, IsOrganizationMember]
    filterset_class = PaymentFilter
