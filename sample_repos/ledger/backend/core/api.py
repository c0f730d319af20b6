from rest_framework import status
from rest_framework.exceptions import APIException


class Conflict(APIException):
    """The request is valid but the resource's current state does not allow it (e.g. editing a finalized invoice)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource is not in a state that allows this operation."
    default_code = "conflict"


class OrganizationScopedMixin:
    """Restricts a viewset's queryset to `request.organization`, which IsOrganizationMember sets."""

    def get_queryset(self):
        return super().get_queryset().filter(organization=self.request.organization)
