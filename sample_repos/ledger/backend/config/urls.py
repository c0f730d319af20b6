from django.urls import include, path

api_v1_patterns = [
    path("", include("accounts.urls")),
    path("", include("customers.urls")),
    path("", include("billing.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1_patterns)),
]
