from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import Conflict, OrganizationScopedMixin
from core.permissions import IsOrganizationMember

from . import services
from .models import Customer
from .serializers import CustomerSerializer


class CustomerViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    permission_classes = [IsAuthenticated, IsOrganizationMember]
    filterset_fields = ["is_archived", "currency"]
    search_fields = ["name", "email"]

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.create_customer(organization=request.organization, **serializer.validated_data)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            customer = services.update_customer(customer, **serializer.validated_data)
        except ValueError as error:
            raise ValidationError({"currency": [str(error)]}) from error
        return Response(self.get_serializer(customer).data)

    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        customer = self.get_object()
        try:
            customer = services.archive_customer(customer)
        except services.CustomerArchiveError as error:
            raise Conflict(str(error)) from error
        return Response(self.get_serializer(customer).data)
