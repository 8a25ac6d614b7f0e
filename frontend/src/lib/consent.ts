/**
 * Consent helpers for the generate panel: which of the studio's grants cover a cast before a request
 * is sent, so the panel can say in advance what it is missing. The API decides (rights.policy) and
 * its refusal shows the reasons. Who may decide approval lanes, grants and uses is never decided
 * here: the API says it in each row's `allowed_actions` (see lib/actions.ts).
 */
import type { ConsentGrant } from "../api/types";

export type UseType = ConsentGrant["use_types"][number];

type GrantLike = Pick<ConsentGrant, "covers_now" | "studio" | "project" | "talent" | "use_types" | "requires_per_use_approval">;

/** Grants that cover this studio's project right now (a grant without a project covers all of them). */
export function coveringGrants<G extends GrantLike>(grants: readonly G[], where: { studio: string; project: string }): G[] {
  return grants.filter((g) => g.covers_now && g.studio.id === where.studio && (g.project === null || g.project.id === where.project));
}

export interface CastCoverage {
  /** Cast talent whose covering grants do not include the use type: the request would be refused. */
  missing: string[];
  /** Cast talent whose use will wait for their agency's approval before the version can be approved. */
  needsReview: string[];
}

/** For the generate panel: what the chosen cast's grants say about a use type, before submitting. */
export function castCoverage(
  grants: readonly GrantLike[],
  cast: readonly { id: string; name: string }[],
  useType: UseType,
  where: { studio: string; project: string },
): CastCoverage {
  const here = coveringGrants(grants, where);
  const missing: string[] = [];
  const needsReview: string[] = [];
  for (const talent of cast) {
    // The policy relies on the most specific grant: one for this project before a studio-wide one,
    // and, between equals, one that needs per-use approval (rights/policy.py `_specificity`).
    const [relied] = here
      .filter((g) => g.talent.id === talent.id && g.use_types.includes(useType))
      .sort((a, b) => Number(a.project === null) - Number(b.project === null) || Number(b.requires_per_use_approval) - Number(a.requires_per_use_approval));
    if (relied === undefined) missing.push(talent.name);
    else if (relied.requires_per_use_approval) needsReview.push(talent.name);
  }
  return { missing, needsReview };
}

/** "Ava Reyes", "Ava Reyes and Leo Park", "A, B and C". */
export function listNames(names: readonly string[]): string {
  const unique = [...new Set(names)];
  if (unique.length <= 1) return unique[0] ?? "";
  return `${unique.slice(0, -1).join(", ")} and ${unique[unique.length - 1] ?? ""}`;
}
