from django.core import mail
from django.urls import reverse
from rest_framework import status
from rest_framework.test import APITestCase

from accounts.models import User
from workspaces.models import Invitation, Membership, Workspace


class InvitationFlowTests(APITestCase):
    def setUp(self):
        self.owner = User.objects.create_user(email="maya@northwind.io", password="s3cure-pass!", full_name="Maya Chen")
        self.workspace = Workspace.objects.create_with_owner(name="Northwind Platform", owner=self.owner)
        self.client.force_authenticate(self.owner)

    def invite(self, email, role="member"):
        url = reverse("workspace-invitation-list", kwargs={"workspace_id": self.workspace.pk})
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, {"email": email, "role": role})

    def test_invite_sends_one_email_and_marks_it_sent(self):
        response = self.invite("Dev.Patel@Northwind.io")

        self.assertEqual(response.status_code, status.HTTP_201_CREATED)
        self.assertEqual(response.data["email"], "dev.patel@northwind.io")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Northwind Platform", mail.outbox[0].subject)
        invitation = Invitation.objects.get(email="dev.patel@northwind.io")
        self.assertIsNotNone(invitation.sent_at)

    def test_second_pending_invitation_for_same_email_is_rejected(self):
        self.invite("dev.patel@northwind.io")

        response = self.invite("dev.patel@northwind.io")

        self.assertEqual(response.status_code, status.HTTP_400_BAD_REQUEST)

    def test_plain_members_cannot_invite(self):
        member = User.objects.create_user(email="sam@northwind.io", password="s3cure-pass!", full_name="Sam Ortiz")
        Membership.objects.create(workspace=self.workspace, user=member, role=Membership.Role.MEMBER)
        self.client.force_authenticate(member)

        response = self.invite("dev.patel@northwind.io")

        self.assertEqual(response.status_code, status.HTTP_403_FORBIDDEN)

    def test_accepting_creates_account_and_membership(self):
        self.invite("dev.patel@northwind.io", role="admin")
        invitation = Invitation.objects.get(email="dev.patel@northwind.io")
        self.client.force_authenticate(None)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("invitation-accept"),
                {"token": invitation.token, "full_name": "Dev Patel", "password": "another-s3cure-pass"},
            )

        self.assertEqual(response.status_code, status.HTTP_200_OK)
        membership = Membership.objects.get(workspace=self.workspace, user__email="dev.patel@northwind.io")
        self.assertEqual(membership.role, Membership.Role.ADMIN)
        invitation.refresh_from_db()
        self.assertEqual(invitation.status, Invitation.Status.ACCEPTED)
        self.assertEqual(mail.outbox[-1].subject, "Welcome to TL;DR")
