from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import OrganizationScopedMixin
from core.permissions import IsOrganizationMember

from .models import Membership
from .serializers import MemberSerializer, MeSerializer


class MeView(APIView):
    """The signed-in user and the organizations they can switch between (before any organization is selected)."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        user = type(request.user).objects.prefetch_related("memberships__organization").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


class MemberViewSet(OrganizationScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Membership.objects.select_related("user")
    serializer_class = MemberSerializer
    permission_classes = [IsAuthenticated, IsOrganizationMember]
    filterset_fields = ["role"]
