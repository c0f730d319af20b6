import uuid

from rest_framework.permissions import BasePermission

from accounts.models import Membership

ORGANIZATION_HEADER = "X-Organization-Id"


class IsOrganizationMember(BasePermission):
    """Requires the user to belong to the organization named in the X-Organization-Id header.

    On success it sets `request.organization` and `request.membership`; viewsets scope their
    querysets with them (see `core.api.OrganizationScopedMixin`) and services receive the
    organization explicitly.
    """

    message = "You are not a member of this organization."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        raw_organization_id = request.headers.get(ORGANIZATION_HEADER)
        if not raw_organization_id:
            return False
        try:
            organization_id = uuid.UUID(raw_organization_id)
        except ValueError:
            return False
        membership = (
            Membership.objects.select_related("organization")
            .filter(user=request.user, organization_id=organization_id)
            .first()
        )
        if membership is None:
            return False
        request.organization = membership.organization
        request.membership = membership
        return True

    def has_object_permission(self, request, view, obj):
        return obj.organization_id == request.organization.id
