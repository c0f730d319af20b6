from django.db import models


class TimeStampedModel(models.Model):
    """Base class for every Ledger model.

    Subclasses declare their own `id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)`
    so the primary key is visible where the model is defined.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
