"""Signals other apps connect to, so rights never imports the generation or review apps.

- `grant_stopped_covering(sender, grant, cause, result)`: sent inside the transaction in which a
  grant was suspended, revoked or expired, or its talent died without an estate grant. `result`
  is a `rights.services.StoppedCovering` with `uses`, `job_ids` and `version_ids`: cancel those
  queued and running jobs and quarantine those versions in the same transaction.
  (Connected: `generation.receivers` cancels the jobs, `projects.receivers` quarantines the versions.)
- `grant_resumed_covering(sender, grant, uses)`: sent when a suspended grant is resumed; `uses`
  are the finished uses restored to their earlier state (their versions may leave quarantine).
- `grant_changed(sender, grant, change)`: sent inside the transaction of every change of a grant
  (requested, granted, suspended, resumed, revoked, declined, expired, talent_deceased). The
  review and generation apps re-scan what the likeness scan holds for that talent in the grantee
  studio (`projects.receivers`, `generation.receivers`).
- `likeness_use_decided(sender, use, actor, decision, note)`: a one-way notification, sent inside
  the transaction in which the agency approved or rejected a use through rights itself
  (`/likeness-uses/{id}/decide/`; `decision` is "approve" or "reject"). The review app restates the
  `agency` approval lane of the use's version from it. A decision made through the review app's
  own approval lane is not notified: that service calls `decide_use(notify=False)` and settles the
  lane directly (see `projects/lanes.py`).
"""

from django.dispatch import Signal

grant_stopped_covering = Signal()
grant_resumed_covering = Signal()
likeness_use_decided = Signal()
grant_changed = Signal()
