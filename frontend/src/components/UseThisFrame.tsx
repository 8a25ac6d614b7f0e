import { useState } from "react";

import type { Version } from "../api/types";
import { usePlayheadState } from "../player/controls";
import type { Playhead } from "../player/playhead";
import { useModels } from "../queries";
import { AnimateDialog } from "./AnimateDialog";

/**
 * "Use this frame" in the review player: the frame under the playhead (its number, never a time)
 * starts an image-to-video render; the server decodes exactly that frame from the version's media.
 * Shown to people who may render (the model catalogue lists image-to-video models for them).
 */
export function UseThisFrame({ projectId, version, playhead }: { projectId: string; version: Version; playhead: Playhead }) {
  const index = usePlayheadState(playhead).index;
  const canAnimate = (useModels().data?.results ?? []).some((m) => m.kind === "i2v");
  const [frame, setFrame] = useState<number | null>(null);
  if (!canAnimate || !version.frame_count) return null;
  const current = version.first_frame + index;
  return (
    <>
      <button
        type="button"
        className="small"
        onClick={() => {
          playhead.pause();
          setFrame(current);
        }}
        title={`Animate from frame ${current}: an image-to-video render that starts from it`}
        data-testid="use-this-frame"
      >
        Use this frame
      </button>
      {frame !== null && (
        <AnimateDialog
          projectId={projectId}
          source={{ kind: "frame", versionId: version.id, frame }}
          what={`frame ${frame} of ${version.shot.code} ${version.label}`}
          initialShotId={version.shot.id}
          onClose={() => setFrame(null)}
        />
      )}
    </>
  );
}
