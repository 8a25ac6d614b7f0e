/**
 * The shot list's rows as one flat list for windowing (lib/virtual.ts): a header per sequence (in
 * the order the API returns the shots) followed by its shots, or the shots alone when sorted.
 */
import type { Shot } from "../api/types";

export type ShotListItem =
  | { kind: "group"; key: string; title: string; count: number; sequenceId: string | null }
  | { kind: "shot"; key: string; shot: Shot };

/** Estimated heights (px) until a row is measured: a shot row holds a 63 px thumbnail. */
export const SHOT_ROW_HEIGHT = 74;
export const GROUP_ROW_HEIGHT = 31;

export function shotListItems(shots: readonly Shot[], grouped: boolean): ShotListItem[] {
  if (!grouped) return shots.map((shot) => ({ kind: "shot", key: shot.id, shot }));
  const groups = new Map<string, { title: string; shots: Shot[] }>();
  for (const shot of shots) {
    const key = shot.sequence?.id ?? "none";
    let group = groups.get(key);
    if (!group) {
      group = { title: shot.sequence?.code ?? "No sequence", shots: [] };
      groups.set(key, group);
    }
    group.shots.push(shot);
  }
  const out: ShotListItem[] = [];
  for (const [key, group] of groups) {
    out.push({ kind: "group", key: `group-${key}`, title: group.title, count: group.shots.length, sequenceId: key === "none" ? null : key });
    for (const shot of group.shots) out.push({ kind: "shot", key: shot.id, shot });
  }
  return out;
}

/** The index of the next (`step` 1) or previous (-1) shot row from `from`, skipping headers; `from` when there is none. */
export function nextShotIndex(items: readonly ShotListItem[], from: number, step: 1 | -1): number {
  for (let i = from + step; i >= 0 && i < items.length; i += step) if (items[i]!.kind === "shot") return i;
  return from;
}

/** The shot a list already holds, found in any cached page of the list (the shot page starts from it). */
export function findShot(pages: readonly (readonly Shot[] | undefined)[], shotId: string): Shot | undefined {
  for (const page of pages) {
    const hit = page?.find((s) => s.id === shotId);
    if (hit) return hit;
  }
  return undefined;
}
