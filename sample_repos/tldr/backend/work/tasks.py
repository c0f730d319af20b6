from celery import shared_task
from django.db import transaction

from .models import POSITION_STEP, Task


@shared_task
def rebalance_column_positions(project_id, status):
    """Respace a board column's positions once repeated midpoint inserts left no room between cards."""
    with transaction.atomic():
        tasks = list(
            Task.objects.select_for_update()
            .in_column(project_id, status)
            .order_by("position", "number")
            .only("id", "position")
        )
        for index, task in enumerate(tasks, start=1):
            task.position = index * POSITION_STEP
        Task.objects.bulk_update(tasks, ["position"], batch_size=500)
    return len(tasks)
