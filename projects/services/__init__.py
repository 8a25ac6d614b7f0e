"""Writes for production tracking, one module per concept. Each service checks access, writes, audits and publishes.

Permission checks live here (see `projects.access` for the role sets); views only parse input and
serialise results. Every function is keyword-only; a failure raises a DRF exception with a message
that says what is wrong and how to fix it, and writes nothing.

| module | concept |
|---|---|
| `projects` | projects and their settings (fps, size, required lanes) |
| `members` | project members (client reviewers, vendors) |
| `sequences` | sequences of the shot list |
| `shots` | shots: create, edit, reorder, delete; status rules |
| `versions` | the next version of a shot (upload or render), its note |
| `media` | proxy, poster and sprite of a version (the `media` queue) |
| `watermarks` | per-viewer watermarked review proxies (the `media` queue) and "Trace a frame" |
| `comments` | comments and annotations on frames |
| `agency_notes` | frame notes of the talent agency reviewing a likeness use of a version (internal, marked) |
| `approvals` | lane decisions (producer, client, agency) |
| `_lane_state` | a version's approval status from its lanes, and what it does to the shot (internal; `lane_states` is public) |
| `likeness_scan` | the likeness scan of versions (the `media` queue); re-scans when a grant changes |
| `quarantine` | versions whose consent stopped or resumed covering them; the delivery check |
| `playlists` | playlists for review sessions |
| `submissions` | versions (or a playlist) submitted to the client reviewers; withdrawing them |
| `playlist_items` | a playlist's items: add shots (selection or status), reorder, note, version choice, remove |
| `interchange` | shot-list imports (CSV, OTIO/EDL) |
| `sharing` | share links for people without an account: create, revoke, open, identify, watermarked copies |
| `storyboards` | a sequence's storyboard: panels (add, edit, duplicate, reorder, delete) and panel comments |
| `panel_stills` | a panel's still: an uploaded drawing or photo, or a generated still take, checked with Pillow |
| `animatics` | the board played as a clip: requested, built on the `media` queue, cached by content |
| `board_shots` | "Make shots": panels become shots of the sequence (preview, then apply with its token) |
| `_shot_rules` | shot field cleaning, assignees and status rules, shared by shots and imports (internal) |
| `_common` | input cleaning and helpers shared by the modules above (internal) |

Callers import from the package (`from projects import services`; `services.create_version(...)`),
never from a module: the modules are the package's inside.
"""

from projects.services._common import parse_fps, resolve_or_404
from projects.services._lane_state import LaneState, lane_states
from projects.services._shot_rules import ASSIGNABLE_ROLES, resolve_assignees
from projects.services.agency_notes import create_agency_note, note_agency
from projects.services.animatics import board_plan, build_animatic, content_key, current_animatic, request_animatic
from projects.services.approvals import decide_approval, record_agency_review
from projects.services.board_shots import make_shots, plan_shots, preview_shots
from projects.services.comments import MAX_ANNOTATIONS_PER_COMMENT, MAX_COMMENT_LENGTH, create_comment, delete_comment, edit_comment
from projects.services.interchange import ShotSpec, apply_shot_specs
from projects.services.likeness_scan import request_version_scan, rescan_held_versions, scan_version_likeness
from projects.services.media import process_version_media
from projects.services.members import add_project_member, change_project_member_role, remove_project_member
from projects.services.panel_stills import (
    MAX_STILL_BYTES,
    clear_panel_still,
    inspect_still,
    set_generated_still,
    upload_panel_still,
)
from projects.services.playlist_items import add_shots_to_playlist, remove_playlist_item, reorder_playlist, update_playlist_item
from projects.services.playlists import MAX_PLAYLIST_ITEMS, create_playlist, delete_playlist, update_playlist
from projects.services.projects import PROJECT_FIELDS, create_project, update_project
from projects.services.quarantine import check_delivery, quarantine_versions, release_versions
from projects.services.sequences import create_sequence, delete_sequence, update_sequence
from projects.services.sharing import (
    create_share_link,
    identify_viewer,
    link_state,
    make_share_copy,
    open_share_link,
    require_room_for_viewer,
    require_share_manager,
    revoke_share_link,
    servable_render,
    shared_versions,
    viewer_session,
)
from projects.services.shots import ARTIST_STATUSES, SHOT_FIELDS, create_shot, delete_shot, reorder_shots, update_shot
from projects.services.storyboards import (
    comment_on_panel,
    create_panel,
    delete_panel,
    duplicate_panel,
    reorder_panels,
    update_panel,
)
from projects.services.submissions import MAX_SUBMITTED_VERSIONS, SubmitResult, submit_to_client, withdraw_submission
from projects.services.versions import PayloadTooLarge, check_upload_size, create_version, update_version, upload_version
from projects.services.watermarks import ReviewCopy, TraceResult, build_marked_proxy, review_copy, trace, trace_organizations

__all__ = [
    "board_plan", "build_animatic", "content_key", "current_animatic", "request_animatic", "make_shots", "plan_shots",
    "preview_shots", "MAX_STILL_BYTES", "clear_panel_still", "inspect_still", "set_generated_still", "upload_panel_still",
    "comment_on_panel",
    "create_panel", "delete_panel", "duplicate_panel", "reorder_panels", "update_panel",
    "create_share_link", "identify_viewer", "link_state", "make_share_copy", "open_share_link",
    "require_room_for_viewer", "require_share_manager", "revoke_share_link", "servable_render", "shared_versions", "viewer_session",
    "ARTIST_STATUSES", "ASSIGNABLE_ROLES", "MAX_ANNOTATIONS_PER_COMMENT", "MAX_COMMENT_LENGTH", "MAX_PLAYLIST_ITEMS",
    "PROJECT_FIELDS", "SHOT_FIELDS", "LaneState", "PayloadTooLarge", "ShotSpec", "add_project_member", "apply_shot_specs",
    "change_project_member_role", "check_delivery", "check_upload_size", "create_comment", "create_playlist", "create_project",
    "create_sequence", "create_shot", "create_version", "decide_approval", "delete_comment", "delete_playlist", "delete_sequence",
    "delete_shot", "edit_comment", "lane_states", "parse_fps", "process_version_media", "quarantine_versions",
    "record_agency_review", "release_versions", "request_version_scan", "rescan_held_versions", "scan_version_likeness",
    "remove_project_member", "reorder_shots", "resolve_assignees", "resolve_or_404",
    "update_playlist", "update_project", "add_shots_to_playlist", "remove_playlist_item", "reorder_playlist",
    "update_playlist_item", "update_sequence", "update_shot", "update_version", "upload_version",
    "MAX_SUBMITTED_VERSIONS", "SubmitResult", "submit_to_client", "withdraw_submission",
    "ReviewCopy", "TraceResult", "build_marked_proxy", "review_copy", "trace", "trace_organizations",
    "create_agency_note", "note_agency",
]
