/** Animate a still: an image-to-video render of a shot from a panel's still or a version's frame. */
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../api/client";
import { invalidate } from "./invalidation";
import { keys } from "./keys";

/** Where the first frame comes from: a storyboard panel's still, or a frame number of a version. */
export type AnimateSource = { kind: "panel"; panelId: string } | { kind: "frame"; versionId: string; frame: number };

export interface AnimateRequest {
  shotId: string;
  prompt: string;
  model: string;
  source: AnimateSource;
}

export function useAnimateStill() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ shotId, prompt, model, source }: AnimateRequest) => {
      const body =
        source.kind === "panel" ? { prompt, model, panel: source.panelId } : { prompt, model, version: source.versionId, frame: source.frame };
      return call(api.POST("/api/v1/shots/{shot_pk}/animate/", { params: { path: { shot_pk: shotId } }, body: body as never }));
    },
    onSuccess: (_batch, { shotId }) => invalidate(client, [keys.jobs.shot(shotId)]),
  });
}
