/** A playlist item's badges: its approval state, then the shared consent badges (likeness use, held, quarantined). */
import type { Playlist } from "../../api/types";
import { Chip } from "../../components/chips";
import { ConsentBadges } from "../../components/ConsentBadges";
import { approvalBadge } from "../../lib/playlist";

type Item = Playlist["items"][number];

export function ItemBadges({ item }: { item: Item }) {
  const approval = approvalBadge(item.version.approval_status);
  return (
    <>
      {approval && <Chip label={approval.label} tone={approval.tone} title={approval.title} />}
      <ConsentBadges likeness={item.likeness_use} held={item.likeness === "held"} quarantined={item.quarantined} />
    </>
  );
}
