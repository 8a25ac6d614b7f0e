/** Forensic watermarks: "Trace a frame" (a leaked still or clip back to its viewer and version). */
import { useMutation, useQuery } from "@tanstack/react-query";

import { api, call } from "../api/client";

export function useTraceFrame() {
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append("file", file);
      return call(
        api.POST("/api/v1/watermarks/trace/", {
          body: form as never,
          bodySerializer: (b: unknown) => b as FormData,
        }),
      );
    },
  });
}

/**
 * Whether the review proxy at `src` can be streamed yet. Viewers outside the studio get their own
 * watermarked copy, made on the media queue: until it exists the proxy answers 202 (never the plain
 * proxy), so the page asks every few seconds and the player loads once it is ready.
 */
export function useReviewCopyReady(src: string | null | undefined) {
  const query = useQuery({
    queryKey: ["review-copy", src],
    enabled: Boolean(src),
    queryFn: async () => {
      const response = await fetch(src!, { headers: { Range: "bytes=0-0" }, credentials: "same-origin" });
      await response.body?.cancel();
      return response.status !== 202;
    },
    refetchInterval: (q) => (q.state.data === false ? 5000 : false),
    staleTime: Infinity,
  });
  return { ready: !src || query.data !== false, preparing: query.data === false };
}
