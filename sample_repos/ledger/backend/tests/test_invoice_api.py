from rest_framework import status
from rest_framework.test import APITestCase

from billing import services

from .factories import make_customer, make_draft_invoice, make_member, make_organization


class InvoiceApiTests(APITestCase):
    def setUp(self):
        self.organization = make_organization()
        self.user = make_member(self.organization)
        self.customer = make_customer(self.organization)
        self.client.force_authenticate(self.user)
        self.client.credentials(HTTP_X_ORGANIZATION_ID=str(self.organization.id))

    def test_list_is_scoped_to_the_selected_organization(self):
        make_draft_invoice(self.customer)
        other_customer = make_customer(make_organization("Initech", "INI"), name="Umbrella Corp")
        make_draft_invoice(other_customer)

        response = self.client.get("/api/v1/invoices/")

        self.assertEqual(response.status_code, status.HTTP_200_OK)
        self.assertEqual(len(response.data["results"]), 1)
        self.assertEqual(response.data["results"][0]["customer_name"], "Globex GmbH")

    def test_non_member_is_forbidden(self):
        other = make_organization("Initech", "INI")
        self.client.credentials(HTTP_X_ORGANIZATION_ID=str(other.id))

        response = self.client.get("/api/v1/invoices/")

        self.assertEqual(response.status_code, status.HTTP_403_FORBIDDEN)

    def test_create_draft_returns_totals(self):
        response = self.client.post(
            "/api/v1/invoices/",
            {
                "customer": str(self.customer.id),
                "lineItems": [{"description": "Annual support plan", "quantity": "1", "unitPrice": "2400.00", "taxRate": "19.00"}],
            },
            format="json",
        )

        self.assertEqual(response.status_code, status.HTTP_201_CREATED)
        self.assertEqual(response.data["total"], "2856.00")

    def test_editing_a_finalized_invoice_conflicts(self):
        invoice = services.finalize_invoice(make_draft_invoice(self.customer))

        response = self.client.patch(f"/api/v1/invoices/{invoice.id}/", {"memo": "Too late"}, format="json")

        self.assertEqual(response.status_code, status.HTTP_409_CONFLICT)
