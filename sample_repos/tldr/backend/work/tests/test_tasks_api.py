from django.urls import reverse
from rest_framework import status
from rest_framework.test import APITestCase

from accounts.models import User
from projects.models import Project
from work.models import Label, Task
from workspaces.models import Workspace


class TaskApiTests(APITestCase):
    def setUp(self):
        self.user = User.objects.create_user(email="maya@northwind.io", password="s3cure-pass!", full_name="Maya Chen")
        self.workspace = Workspace.objects.create_with_owner(name="Northwind Platform", owner=self.user)
        self.project = Project.objects.create_in_workspace(
            workspace=self.workspace,
            created_by=self.user,
            name="Checkout revamp",
            key="CHK",
        )
        self.client.force_authenticate(self.user)
        self.list_url = reverse("project-task-list", kwargs={"project_id": self.project.pk})

    def test_create_allocates_sequential_keys(self):
        first = self.client.post(self.list_url, {"title": "Audit payment form validation"}, format="json")
        second = self.client.post(self.list_url, {"title": "Move coupon field below totals"}, format="json")

        self.assertEqual(first.status_code, status.HTTP_201_CREATED)
        self.assertEqual(first.data["key"], "CHK-1")
        self.assertEqual(second.data["key"], "CHK-2")

    def test_list_uses_camel_case_keys_and_snake_case_status_values(self):
        Task.objects.create_in_project(project=self.project, created_by=self.user, title="Write copy", status="in_progress")

        response = self.client.get(self.list_url)

        self.assertEqual(response.status_code, status.HTTP_200_OK)
        task = response.json()["results"][0]
        self.assertEqual(task["status"], "in_progress")
        self.assertIn("subtaskProgress", task)
        self.assertIn("commentCount", task)

    def test_filter_by_status_and_label(self):
        urgent = Label.objects.create(project=self.project, name="urgent", color="#dc2626")
        flagged = Task.objects.create_in_project(project=self.project, created_by=self.user, title="Fix 3DS redirect", labels=[urgent])
        Task.objects.create_in_project(project=self.project, created_by=self.user, title="Update screenshots")

        response = self.client.get(self.list_url, {"label": urgent.pk, "status": "todo"})

        self.assertEqual([task["id"] for task in response.json()["results"]], [flagged.pk])

    def test_non_member_cannot_list_project_tasks(self):
        outsider = User.objects.create_user(email="lee@contoso.com", password="s3cure-pass!", full_name="Lee Park")
        self.client.force_authenticate(outsider)

        response = self.client.get(self.list_url)

        self.assertEqual(response.status_code, status.HTTP_403_FORBIDDEN)

    def test_delete_archives_instead_of_removing(self):
        task = Task.objects.create_in_project(project=self.project, created_by=self.user, title="Remove legacy banner")

        response = self.client.delete(reverse("task-detail", kwargs={"pk": task.pk}))

        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        task.refresh_from_db()
        self.assertIsNotNone(task.archived_at)
        self.assertEqual(self.client.get(self.list_url).json()["count"], 0)
