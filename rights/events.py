"""The realtime messages the consent registry sends, with the shape of their `data`.

Registered from `RightsConfig.ready()` in the core's registry (studio/realtime/events.py); the
browser's types are generated from these declarations. Every consent message is internal: client
reviewers never receive it.
"""

from __future__ import annotations

from rights.models import ConsentGrant, ConsentRequest, LikenessUse, UseType
from studio.realtime.events import BOOLEAN, STRING, UUID, array, const, enum, nullable, obj, one_of, register

OWNER = "rights"

REF = obj({"id": UUID, "name": STRING})

# `services.grant_summary`
GRANT_SUMMARY = obj({
    "id": UUID, "talent": REF, "agency": REF, "studio": REF, "project": nullable(UUID), "state": enum(ConsentGrant.State.values),
    "use_types": array(enum(UseType.values)), "valid_from": STRING, "valid_until": STRING, "requires_per_use_approval": BOOLEAN,
})

GRANT_CHANGES = ["requested", "granted", "suspended", "resumed", "revoked", "declined", "expired", "talent_deceased"]
STOP_CAUSES = ["suspended", "revoked", "expired", "deceased"]

CONSENT_CHANGED = one_of(
    obj(
        {"kind": const("consent_grant"), "change": enum(GRANT_CHANGES), "previous_state": nullable(enum(ConsentGrant.State.values)),
         "reason": STRING, "grant": GRANT_SUMMARY},
        title="GrantChanged",
    ),
    obj(
        {"kind": const("likeness_use"), "change": const("invalidated"), "cause": enum(STOP_CAUSES), "reason": STRING, "grant": UUID,
         "uses": array(UUID), "jobs": array(UUID), "versions": array(UUID)},
        title="UsesInvalidated",
    ),
    obj(
        {"kind": const("likeness_use"), "change": const("recorded"), "use": UUID, "talent": UUID, "job_id": UUID,
         "state": enum(LikenessUse.State.values)},
        title="UseRecorded",
    ),
    obj(
        {"kind": const("likeness_use"), "change": enum([LikenessUse.State.APPROVED, LikenessUse.State.REJECTED]), "use": UUID,
         "talent": UUID, "version": nullable(UUID), "job_id": UUID, "note": STRING},
        title="UseDecided",
    ),
)


REQUEST_CHANGES = ["created", "granted", "refused", "withdrawn"]

# `services.consent_request_summary`
CONSENT_REQUEST_CHANGED = obj({
    "request": UUID, "change": enum(REQUEST_CHANGES), "state": enum(ConsentRequest.State.values), "talent": REF, "agency": REF,
    "studio": REF, "project": UUID, "use_types": array(enum(UseType.values)), "requested_by": nullable(UUID),
    "grant": nullable(UUID), "reason": STRING,
})


def register_event_types() -> None:
    register("consent.changed", schema=CONSENT_CHANGED, audiences=("internal",), owner=OWNER,
             description="A consent grant changed state, or likeness uses were recorded, decided or invalidated.")
    register("consent_request.changed", schema=CONSENT_REQUEST_CHANGED, audiences=("internal",), owner=OWNER,
             description="A consent request was sent to an agency, granted, refused or withdrawn.")
