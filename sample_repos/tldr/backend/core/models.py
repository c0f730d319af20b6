from django.db import models


class TimeStampedModel(models.Model):
    """Base class for every TL;DR model: creation and last-modification times."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
