from unittest import mock

from django.test import TestCase

from accounts.models import User
from activity.models import ActivityEvent
from projects.models import Project
from work.models import Task
from workspaces.models import Workspace


class MoveTaskTests(TestCase):
    def setUp(self):
        self.user = User.objects.create_user(email="maya@northwind.io", password="s3cure-pass!", full_name="Maya Chen")
        workspace = Workspace.objects.create_with_owner(name="Northwind Platform", owner=self.user)
        self.project = Project.objects.create_in_workspace(
            workspace=workspace,
            created_by=self.user,
            name="Checkout revamp",
            key="CHK",
        )
        self.task = Task.objects.create_in_project(project=self.project, created_by=self.user, title="Ship Apple Pay")

    def test_moving_to_done_stamps_completion_and_records_activity(self):
        self.task.move_to(status=Task.Status.DONE, position=1024.0, actor=self.user)

        self.task.refresh_from_db()
        self.assertIsNotNone(self.task.completed_at)
        event = ActivityEvent.objects.get(task=self.task, verb=ActivityEvent.Verb.TASK_STATUS_CHANGED)
        self.assertEqual(event.payload, {"from": "todo", "to": "done"})

    def test_reopening_clears_completion(self):
        self.task.move_to(status=Task.Status.DONE, position=1024.0, actor=self.user)

        self.task.move_to(status=Task.Status.IN_PROGRESS, position=1024.0, actor=self.user)

        self.task.refresh_from_db()
        self.assertIsNone(self.task.completed_at)

    def test_crowded_position_schedules_rebalance(self):
        neighbour = Task.objects.create_in_project(project=self.project, created_by=self.user, title="Ship Google Pay")

        with mock.patch("work.tasks.rebalance_column_positions.delay") as rebalance:
            with self.captureOnCommitCallbacks(execute=True):
                self.task.move_to(status=Task.Status.TODO, position=neighbour.position + 1e-9, actor=self.user)

        rebalance.assert_called_once_with(self.project.pk, Task.Status.TODO)
