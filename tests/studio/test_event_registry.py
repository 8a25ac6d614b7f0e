"""The registry of realtime message types (studio/realtime/events.py): every type the code sends is
registered for its channel, nothing is registered that nothing sends, every declaration is a closed
JSON Schema, and publishing refuses what the registry does not know or a payload that drifted.
(That the real payloads match: tests/realtime/test_event_payloads.py.)
"""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from studio.realtime import events
from studio.realtime.models import Event
from studio.realtime.publish import notify_user, publish, publish_progress
from tests.support.realtime_events import TEST_EVENT

ROOT = Path(__file__).resolve().parents[2]
APP_DIRS = ["studio", "projects", "rights", "generation", "notifications"]
SENDERS = {"publish": "project", "notify_user": "user", "publish_progress": "progress", "send_control": "control"}


def _literals(node: ast.AST) -> list[str] | None:
    """The string values an argument can take: a literal, or a conditional between literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def sent_types() -> tuple[dict[str, set[str]], list[str]]:
    """channel -> message types the application code sends, and the calls whose type is not a literal."""
    found: dict[str, set[str]] = {channel: set() for channel in SENDERS.values()}
    unresolved: list[str] = []
    for folder in APP_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "error_type" for t in node.targets):
                    found["control"].update(_literals(node.value) or [])  # a consumer's error message type
                    continue
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if name == "publish_progress":
                    found["progress"].add("job.progress")
                    continue
                if name == "make_envelope":
                    arg = next((k.value for k in node.keywords if k.arg == "type"), None)
                    values = _literals(arg) if arg is not None else None
                    if values is not None:  # consumers' live presence messages
                        found["control"].update(values)
                    continue
                if name not in SENDERS:
                    continue
                arg = next((k.value for k in node.keywords if k.arg == "type"), None)
                if arg is None and node.args:
                    arg = node.args[0]
                if arg is None:
                    continue  # a definition's own signature, e.g. def publish(*, type ...)
                values = _literals(arg)
                if values is None:
                    if not (isinstance(arg, ast.Name) and arg.id in {"type", "PROGRESS_TYPE"} or isinstance(arg, ast.Attribute)):
                        unresolved.append(where)
                    continue
                found[SENDERS[name]].update(values)
    return found, unresolved


def test_every_type_the_code_sends_is_registered_for_its_channel_and_nothing_more():
    found, unresolved = sent_types()
    assert not unresolved, f"message types must be literals so the registry can be checked: {unresolved}"
    registry = events.registered()
    for channel, names in found.items():
        for name in names:
            assert name in registry, f"{name} is sent on the {channel} channel but not registered"
            assert registry[name].channel == channel, f"{name} is sent on {channel}, registered for {registry[name].channel}"
    app_types = {name for name, event in registry.items() if event.owner != "tests"}
    sent = set().union(*found.values())
    assert app_types - sent == set(), f"registered but never sent (stale declarations): {sorted(app_types - sent)}"
    assert {"shot.updated", "version.created", "comment.created", "approval.decided", "consent.changed", "job.state_changed",
            "job.progress", "comment.mentioned", "stream.ready", "presence.changed"} <= sent


def test_every_registered_schema_is_valid_json_schema_and_closed():
    for name, event in events.registered().items():
        if event.owner == "tests":
            continue
        assert event.description, f"{name} needs a description (it documents the browser's type)"
        variants = event.schema.get("oneOf") or [event.schema]
        for variant in variants:
            assert variant.get("type") == "object" and variant.get("additionalProperties") is False, (
                f"{name}: every payload is a closed object (declare each field)"
            )


def test_the_registry_is_printed_for_the_browser_types():
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "realtime_schema"], cwd=ROOT, capture_output=True, text=True, check=True,
    )
    described = {t["name"]: t for t in json.loads(out.stdout)["types"]}
    assert described["comment.created"]["channel"] == "project"
    assert described["comment.created"]["audiences"] == ["all", "internal"]
    assert described["job.progress"]["schema"]["required"] == ["step", "total", "elapsed", "eta"]
    assert "tests" not in {t["owner"] for t in described.values()}


def test_publishing_refuses_what_the_registry_does_not_know(db):
    from projects.models import Project
    from studio.tenancy.models import Organization

    project = Project.objects.create(organization=Organization.objects.create(kind="studio", name="R", slug="reg-r"), name="R", code="R")
    with pytest.raises(ValueError, match="not registered"):
        publish(type="shot.renamed", project_id=project.pk, data={})
    with pytest.raises(ValueError, match="registered for the 'user' channel"):
        publish(type="comment.mentioned", project_id=project.pk, data={})
    with pytest.raises(ValueError, match="audience 'internal'"):
        publish(type="approval.decided", project_id=project.pk, data={}, audience="internal")
    with pytest.raises(ValueError, match="not registered"):
        notify_user(user_id=project.pk, type="approval.requested", data={})
    # A payload that drifted from its declaration: a missing field, a field nobody declared, a wrong type.
    with pytest.raises(events.EventPayloadError, match="'count' is a required property"):
        publish(type="shot.updated", project_id=project.pk, data={"change": "reordered"})
    with pytest.raises(events.EventPayloadError, match="Additional properties"):
        publish(type="playlist.updated", project_id=project.pk, data={"id": str(project.pk), "name": "D", "change": "created", "x": 1})
    with pytest.raises(events.EventPayloadError, match="job.progress payload .* at step"):
        publish_progress(project_id=project.pk, job_id=project.pk, audience="internal",
                         data={"step": "3", "total": 30, "elapsed": 1.0, "eta": 2.0})
    assert Event.objects.count() == 0
    publish(type=TEST_EVENT, project_id=project.pk, data={"anything": True})
    assert Event.objects.count() == 1


def test_a_type_cannot_be_declared_twice_with_another_shape():
    same = events.lookup("playlist.updated")
    again = events.register(same.name, schema=same.schema, audiences=same.audiences, description=same.description, owner=same.owner)
    assert again is same
    with pytest.raises(ValueError, match="already registered"):
        events.register("playlist.updated", schema={"type": "object"}, owner="elsewhere")
    with pytest.raises(ValueError, match="channel"):
        events.register("x.y", schema={"type": "object"}, channel="broadcast")
