"""How production tracking follows consent changes, and cleans a deleted project's event stream
(connected in `ProjectsConfig.ready`).

Each consent receiver runs inside the transaction of the rights service that sent the signal, so the
versions change atomically with the grant or the agency's decision. Rights cannot import projects,
so these one-way notifications are how it tells us; when projects itself asks rights (an agency
lane decision through `decide_approval`), it settles its side directly instead.
"""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from projects import services
from projects.models import Project
from rights import signals
from studio.realtime import services as realtime_services


@receiver(signals.grant_stopped_covering, dispatch_uid="projects.quarantine_versions")
def quarantine_versions(sender, grant, cause, result, **kwargs) -> None:
    if not result.version_ids:
        return
    reason = next((u.invalidated_reason for u in result.uses if u.invalidated_reason), f"The consent grant was {cause}.")
    services.quarantine_versions(version_ids=result.version_ids, reason=reason, cause=cause, grant_id=grant.pk)


@receiver(signals.grant_resumed_covering, dispatch_uid="projects.release_versions")
def release_versions(sender, grant, uses, **kwargs) -> None:
    version_ids = {u.version_id for u in uses if u.version_id}
    if version_ids:
        services.release_versions(version_ids=version_ids, note=f"{grant.talent.name}'s grant was resumed.")


@receiver(signals.grant_changed, dispatch_uid="projects.rescan_held_versions")
def rescan_held_versions(sender, grant, change, **kwargs) -> None:
    """A grant of a talent changed: what the likeness scan holds for them in that studio is scanned again."""
    services.rescan_held_versions(organization_id=grant.grantee_id, talent_id=grant.talent_id)


@receiver(signals.likeness_use_decided, dispatch_uid="projects.record_agency_review")
def record_agency_review(sender, use, actor, decision, note="", **kwargs) -> None:
    services.record_agency_review(use=use, actor=actor, decision=decision, note=note)


@receiver(post_delete, sender=Project, dispatch_uid="projects.delete_project_stream")
def delete_project_stream(sender, instance: Project, **kwargs) -> None:
    """A project's events live in the realtime core under its stream id (the project's id), with no
    foreign key back to the project: they go with the project, in the transaction that deletes it
    (however it is deleted: the admin, or its organization being deleted)."""
    realtime_services.delete_stream(stream_id=instance.pk)
