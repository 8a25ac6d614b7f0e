"""Reads of the generation engine."""

from __future__ import annotations

from django.db.models import QuerySet

from generation.models import GenerationJob, ModelProfile


def active_profiles() -> QuerySet[ModelProfile]:
    return ModelProfile.objects.filter(is_active=True).order_by("-is_default", "name")


def default_profile() -> ModelProfile | None:
    return active_profiles().filter(is_default=True).first() or active_profiles().first()


def job_queryset() -> QuerySet[GenerationJob]:
    """Jobs with what their API representation needs, in one query."""
    return GenerationJob.objects.select_related("model", "shot", "created_by", "version").order_by("-created_at", "batch_index")

