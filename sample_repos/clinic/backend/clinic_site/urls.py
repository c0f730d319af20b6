from django.contrib import admin
from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from scheduling.views import AppointmentViewSet, AvailabilitySlotViewSet, PatientViewSet, PractitionerViewSet

router = DefaultRouter()
router.register("practitioners", PractitionerViewSet, basename="practitioner")
router.register("patients", PatientViewSet, basename="patient")
router.register("availability-slots", AvailabilitySlotViewSet, basename="availability-slot")
router.register("appointments", AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/", include(router.urls)),
]
