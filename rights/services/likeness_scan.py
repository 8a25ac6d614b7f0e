"""The likeness scan's verdict: what the faces a scan found mean for consent.

`projects.likeness_scan` finds faces in a take or version and matches them with every registered
likeness reference (`rights.selectors.likeness_references`); `settle_likeness_scan` then asks the
one consent policy (`rights.policy.check_generation(purpose="scan", scanned=...)`) about the talent
it matched, in the media's project and studio:

- a talent whose grant covers a digital replica gets a likeness use (via "scan") recorded for the
  agency's review, through the usage ledger exactly as a cast member's (`record_likeness_uses`,
  idempotent per key and talent; the key is the take's job, or an uploaded version's own id);
- a talent no grant covers *holds* the media: the verdict carries the policy's reasons (naming the
  performer, the agency and what is missing) and the pre-filled consent request (section 4,
  origin `likeness_scan`); the denial is audited in the studio's and the agency's chains.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from rights import policy
from rights.faces import FaceMatch
from rights.models import LikenessUse, Talent
from rights.refs import ProjectRef, ShotRef, VersionRef
from rights.services.ledger import record_likeness_uses

CLEAR, MATCHED, HELD = "clear", "matched", "held"


@dataclass(frozen=True)
class ScanVerdict:
    state: str
    talent_ids: list[str] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)
    held: list[dict] = field(default_factory=list)
    request_consent: dict | None = None
    uses: list[LikenessUse] = field(default_factory=list)

    def as_result(self) -> dict:
        """The part stored on the scanned row (`scan_result`) and shown to the studio."""
        return {"matches": self.matches, "held": self.held, "request_consent": self.request_consent,
                "held_reason": " ".join(r["message"] for r in self.held)}


def settle_likeness_scan(
    *,
    project: ProjectRef,
    matches: dict[str, FaceMatch],
    use_key: uuid.UUID,
    shot: ShotRef | None = None,
    version: VersionRef | None = None,
) -> ScanVerdict:
    """Turn the scan's matches into uses (covered talent) and holds (the rest). Call inside the
    transaction that stores the scan's result on the scanned row."""
    talents = {str(t.pk): t for t in Talent.objects.filter(pk__in=list(matches)).select_related("organization")}
    matches = {k: v for k, v in matches.items() if k in talents}  # a talent deleted since the scan began
    if not matches:
        return ScanVerdict(state=CLEAR)
    decision = policy.check_generation(
        studio=project.organization, project=project, scanned=list(matches), purpose="scan", actor_label="likeness scan",
    )
    uses = record_likeness_uses(decision=decision, job_id=use_key, shot=shot, version=version)
    covered = {str(c.talent.pk): c for c in decision.covered}
    by_talent = {str(u.talent_id): u for u in uses}
    rows = []
    for talent_id, match in sorted(matches.items(), key=lambda kv: talents[kv[0]].name):
        talent, coverage, use = talents[talent_id], covered.get(talent_id), by_talent.get(talent_id)
        rows.append({
            "talent_id": talent_id, "talent": talent.name, "agency": talent.organization.name, "distance": match.distance,
            "at_seconds": match.at_seconds, "covered": coverage is not None,
            "grant_id": str(coverage.grant.pk) if coverage else None, "use_id": str(use.pk) if use else None,
            "use_state": use.state if use else None,
        })
    held = [r.as_dict() for r in decision.reasons]
    return ScanVerdict(
        state=HELD if held else MATCHED, talent_ids=sorted(matches), matches=rows, held=held,
        request_consent=policy.request_consent_prefill(decision) if held else None, uses=uses,
    )
