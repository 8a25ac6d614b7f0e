/** Forensic watermarks: "Trace a frame" (a leaked still or clip back to its viewer and version). */
import { useMutation } from "@tanstack/react-query";

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
