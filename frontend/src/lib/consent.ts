/**
 * Consent rules the screens need to decide what to show. The API decides (rights.policy); these only
 * hide buttons that would be refused and say in advance what a request is missing.
 */
import type { ConsentGrant, LikenessUse, MyMembership, Role } from "../api/types";

/** Who decides which lane (mirrors projects/lanes.py; the API refuses anyone else). */
export const LANE_DECIDERS: Readonly<Record<string, ReadonlySet<string>>> = {
  producer: new Set<Role>(["owner", "admin", "producer"]),
  client: new Set<Role>(["reviewer"]),
};
/** Members of the representing agency who decide its talent's uses (projects.lanes.AGENCY_DECIDER_ROLES). */
export const AGENCY_DECIDER_ROLES: ReadonlySet<Role> = new Set<Role>(["owner", "admin", "agent", "legal"]);

type UseLike = Pick<LikenessUse, "requires_review" | "state" | "talent">;

/** The agencies whose review a version needs: those of its likeness uses under a per-use-approval grant. */
export function reviewingAgencyIds(uses: readonly UseLike[]): string[] {
  const ids = uses.filter((u) => u.requires_review && u.state !== "invalidated").map((u) => u.talent.agency_id);
  return [...new Set(ids)];
}

/**
 * Whether the signed-in person may press a lane's buttons: a project role for the studio's lanes; for
 * the agency lane, a deciding role in one of the agencies that review this version.
 */
export function mayDecideLane(args: {
  lane: string;
  /** The caller's role on the project (`Project.my_role`). */
  projectRole: string | null | undefined;
  memberships: readonly Pick<MyMembership, "organization" | "role">[];
  reviewingAgencies: readonly string[];
}): boolean {
  if (args.lane === "agency") {
    return args.memberships.some(
      (m) => m.organization.kind === "agency" && AGENCY_DECIDER_ROLES.has(m.role) && args.reviewingAgencies.includes(m.organization.id),
    );
  }
  const roles = LANE_DECIDERS[args.lane];
  return roles !== undefined && args.projectRole != null && roles.has(args.projectRole);
}

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
