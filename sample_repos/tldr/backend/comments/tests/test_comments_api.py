from django.core import mail
from django.urls import reverse
from rest_framework import status
from rest_framework.test import APITestCase

from accounts.models import User
from comments.models import Comment
from projects.models import Project
from work.models import Task
from workspaces.models import Membership, Workspace


class CommentApiTests(APITestCase):
    def setUp(self):
        self.author = User.objects.create_user(email="maya@northwind.io", password="s3cure-pass!", full_name="Maya Chen")
        self.teammate = User.objects.create_user(email="dev@northwind.io", password="s3cure-pass!", full_name="Dev Patel")
        self.workspace = Workspace.objects.create_with_owner(name="Northwind Platform", owner=self.author)
        Membership.objects.create(workspace=self.workspace, user=self.teammate)
        project = Project.objects.create_in_workspace(
            workspace=self.workspace,
            created_by=self.author,
            name="Checkout revamp",
            key="CHK",
        )
        self.task = Task.objects.create_in_project(project=project, created_by=self.author, title="Ship Apple Pay")
        self.client.force_authenticate(self.author)
        self.url = reverse("task-comment-list", kwargs={"task_id": self.task.pk})

    def test_mentioning_a_member_links_and_emails_them(self):
        body = f"@[Dev Patel](user:{self.teammate.pk}) can you check the merchant id?"

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"body": body})

        self.assertEqual(response.status_code, status.HTTP_201_CREATED)
        comment = Comment.objects.get(pk=response.data["id"])
        self.assertEqual(list(comment.mentions.all()), [self.teammate])
        self.assertEqual([message.to for message in mail.outbox], [["dev@northwind.io"]])

    def test_mentions_of_non_members_are_ignored(self):
        stranger = User.objects.create_user(email="lee@contoso.com", password="s3cure-pass!", full_name="Lee Park")

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url, {"body": f"@[Lee Park](user:{stranger.pk}) fyi"})

        self.assertEqual(mail.outbox, [])

    def test_only_the_author_can_edit(self):
        comment = Comment.objects.create_with_mentions(task=self.task, author=self.author, body="First pass done")
        self.client.force_authenticate(self.teammate)

        response = self.client.patch(reverse("comment-detail", kwargs={"pk": comment.pk}), {"body": "Changed"})

        self.assertEqual(response.status_code, status.HTTP_404_NOT_FOUND)

    def test_deleting_hides_the_comment(self):
        comment = Comment.objects.create_with_mentions(task=self.task, author=self.author, body="Wrong thread")

        response = self.client.delete(reverse("comment-detail", kwargs={"pk": comment.pk}))

        self.assertEqual(response.status_code, status.HTTP_204_NO_CONTENT)
        self.assertEqual(self.client.get(self.url).json()["count"], 0)
