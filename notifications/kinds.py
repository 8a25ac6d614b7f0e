"""The kinds of notification, what each means and whether it is on by default (in the inbox, by email)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    MENTION = "mention", "Someone mentioned me in a note"
    REPLY = "reply", "A reply to one of my notes"
    VERSION_DECISION = "version_decision", "A decision on one of my versions"
    LIKENESS_DECISION = "likeness_decision", "An agency decision on a likeness use of my render"
    CONSENT_REQUEST_ANSWERED = "consent_request_answered", "An agency's answer to a consent request I sent"
    RENDER_FINISHED = "render_finished", "A render I started finished"
    RENDER_FAILED = "render_failed", "A render I started failed"
    # Client reviewers: the studio submitted versions (or a playlist) to them (`submission.changed`).
    SUBMISSION = "submission", "Work submitted to me for review"


@dataclass(frozen=True)
class Default:
    in_app: bool
    email: bool


DEFAULTS: dict[str, Default] = {
    Kind.MENTION: Default(in_app=True, email=True),
    Kind.REPLY: Default(in_app=True, email=False),
    Kind.VERSION_DECISION: Default(in_app=True, email=False),
    Kind.LIKENESS_DECISION: Default(in_app=True, email=True),
    Kind.CONSENT_REQUEST_ANSWERED: Default(in_app=True, email=True),
    Kind.RENDER_FINISHED: Default(in_app=True, email=False),
    Kind.RENDER_FAILED: Default(in_app=True, email=True),
    Kind.SUBMISSION: Default(in_app=True, email=True),
}
