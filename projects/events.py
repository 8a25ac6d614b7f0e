"""The realtime messages production tracking sends, with the shape of their `data`.

Registered from `ProjectsConfig.ready()` in the core's registry (studio/realtime/events.py); the
browser's types are generated from these declarations. A payload that no longer matches its
declaration fails the tests that publish it: change both together.
"""

from __future__ import annotations

from projects import lanes
from projects.models import Approval, Shot, Version
from studio.realtime.events import BOOLEAN, INTEGER, STRING, UUID, array, const, enum, nullable, obj, one_of, register

OWNER = "projects"

SHOT_STATUS = enum(Shot.Status.values)
APPROVAL_STATUS = enum(Version.ApprovalStatus.values)

PROJECT_UPDATED = one_of(
    obj({"id": UUID, "change": const("created")}, title="ProjectCreated"),
    obj({"id": UUID, "change": const("updated"), "fields": array(STRING)}, title="ProjectSettingsChanged"),
    obj({"id": UUID, "change": enum(["member_added", "member_changed", "member_removed"]), "user": UUID}, title="ProjectMembersChanged"),
)

SHOT_UPDATED = one_of(
    obj(
        {"id": UUID, "code": STRING, "status": SHOT_STATUS, "change": enum(["created", "updated", "deleted", "status", "approval"])},
        {
            "fields": array(STRING),  # change "updated": what changed
            "current_version": UUID,  # change "status": a new version moved the shot
            "retake_count": INTEGER,  # change "approval"
            "version": UUID,  # change "approval": the version whose decision moved the shot
        },
        title="ShotChanged",
    ),
    obj(
        {"sequence": UUID, "code": STRING, "change": enum(["sequence_created", "sequence_updated", "sequence_deleted"])},
        title="SequenceChanged",
    ),
    obj({"change": const("reordered"), "count": INTEGER}, title="ShotsReordered"),
    obj({"change": const("imported"), "source": STRING, "created": INTEGER, "updated": INTEGER}, title="ShotsImported"),
)

VERSION_CREATED = obj({
    "id": UUID, "shot": UUID, "shot_code": STRING, "number": INTEGER, "label": STRING,
    "source": enum(Version.Source.values), "processing_status": enum(Version.Processing.values),
})

VERSION_UPDATED = one_of(
    obj({"id": UUID, "change": const("note")}, title="VersionNoteChanged"),
    obj(
        {"id": UUID, "shot": UUID, "change": const("media_ready"), "processing_status": const("ready"), "frame_count": nullable(INTEGER)},
        title="VersionMediaReady",
    ),
    obj(
        {"id": UUID, "shot": UUID, "change": const("media_failed"), "processing_status": const("failed"), "failure_reason": STRING},
        title="VersionMediaFailed",
    ),
    obj({"id": UUID, "change": const("approval_status"), "approval_status": APPROVAL_STATUS}, title="VersionRestated"),
    obj(
        {
            "id": UUID, "shot": UUID, "change": enum(["quarantined", "released"]), "quarantined": BOOLEAN,
            "quarantine_reason": STRING, "approval_status": APPROVAL_STATUS,
        },
        title="VersionQuarantineChanged",
        description="The reason names the talent and the agency's decision: a client reviewer receives a quarantine "
        "as VersionWithdrawn, and a release without the reason.",
    ),
    obj(
        {"id": UUID, "shot": UUID, "change": const("scanned"), "scan_state": enum(Version.ScanState.values)},
        title="VersionScanned",
        description="The likeness scan finished (clear, matched, held or failed); read the version for the result.",
    ),
    obj(
        {"id": UUID, "change": const("withdrawn")},
        title="VersionWithdrawn",
        description="To client reviewers only, never published as such: a version submitted to them is no longer "
        "available (quarantined or held); no reason is given (projects.realtime.streams.ClientEvents).",
    ),
)

COMMENT = obj({
    "id": UUID, "version": UUID, "parent": nullable(UUID), "frame": INTEGER, "frame_end": nullable(INTEGER),
    "internal": BOOLEAN, "resolved": BOOLEAN, "deleted": BOOLEAN, "author": nullable(UUID),
    "body": STRING, "change": enum(["created", "edited", "resolved", "deleted"]), "mentions": array(UUID),
})

APPROVAL_DECIDED = obj({
    "version": UUID, "shot": UUID, "lane": enum(lanes.lane_names()), "decision": enum(Approval.Decision.values),
    "reviewer": UUID, "approval_status": APPROVAL_STATUS, "note": STRING,
})

PLAYLIST_UPDATED = obj({"id": UUID, "name": STRING, "change": enum(["created", "updated", "deleted"])})

COMMENT_MENTIONED = obj({
    "comment": UUID, "version": UUID, "frame": INTEGER, "by": STRING, "body": STRING, "internal": BOOLEAN,
})

VERSION_QUARANTINED = obj({"version": UUID, "shot": STRING, "label": STRING, "reason": STRING},
                          description="`shot` is the shot's code.")

STORYBOARD_CHANGES = [
    "panel_created", "panel_updated", "panel_duplicated", "panel_deleted", "reordered", "still_changed",
    "comment_created", "animatic_building", "animatic_ready", "animatic_failed", "shots_made",
]
STORYBOARD_UPDATED = obj(
    {"sequence": UUID, "storyboard": UUID, "change": enum(STORYBOARD_CHANGES)},
    {
        "panel": UUID,  # panel_* and still_changed, comment_created: the panel
        "panels": array(UUID),  # reordered: the new order
        "animatic": UUID,  # animatic_*: the animatic
        "created": INTEGER, "updated": INTEGER,  # shots_made
    },
    title="StoryboardChanged",
    description="Read the board again for the new state; internal: boards are the studio's work in progress.",
)


SUBMISSION_CHANGED = obj(
    {
        "change": enum(["submitted", "withdrawn"]), "submissions": array(UUID), "versions": array(UUID), "shots": array(UUID),
        "playlist": nullable(UUID),
    },
    description="Versions were submitted to the project's client reviewers (or withdrawn); read them again.",
)


def register_event_types() -> None:
    both = ("all", "internal")
    register("project.updated", schema=PROJECT_UPDATED, audiences=both, owner=OWNER,
             description="A project's settings or members changed (its creation is internal).")
    register("shot.updated", schema=SHOT_UPDATED, owner=OWNER,
             description="A shot or sequence was created, changed, reordered, imported or moved by a decision.")
    register("version.created", schema=VERSION_CREATED, owner=OWNER, description="A shot got a new version.")
    register("version.updated", schema=VERSION_UPDATED, audiences=both, owner=OWNER,
             description="A version's note, media, approval status, quarantine or likeness scan changed.")
    register("comment.created", schema=COMMENT, audiences=both, owner=OWNER,
             description="A note or reply was posted (internal notes only to the studio).")
    register("comment.updated", schema=COMMENT, audiences=both, owner=OWNER, description="A note was edited, resolved or deleted.")
    register("approval.decided", schema=APPROVAL_DECIDED, owner=OWNER, description="A decision in one approval lane of a version.")
    register("playlist.updated", schema=PLAYLIST_UPDATED, audiences=both, owner=OWNER,
             description="A playlist was created, changed or deleted (internal playlists only to the studio).")
    register("submission.changed", schema=SUBMISSION_CHANGED, owner=OWNER,
             description="Versions (or a playlist) were submitted to the client, or a submission was withdrawn.")
    register("storyboard.updated", schema=STORYBOARD_UPDATED, audiences=("internal",), owner=OWNER,
             description="A sequence's storyboard changed: panels, their order, stills, notes, its animatic or the shots made from it.")
    register("comment.mentioned", schema=COMMENT_MENTIONED, channel="user", owner=OWNER, description="Someone mentioned you in a note.")
    register("version.quarantined", schema=VERSION_QUARANTINED, channel="user", owner=OWNER,
             description="A version you made was quarantined: a likeness grant stopped covering it.")
