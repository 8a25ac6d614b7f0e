/**
 * "Import a render": bring a clip made in another tool (ComfyUI on a workstation, a vendor's
 * delivery) into the shot's takes gallery, to compare with the takes rendered here. The server
 * probes it, gives it a poster and scans it for protected faces like any take
 * (POST /api/v1/shots/{id}/takes/import/; docs/GENERATION.md, "Imported takes").
 */
import { useState } from "react";

import { useImportTake } from "../queries";
import { ConfirmDialog, Field } from "./feedback";

export function ImportTake({ shotId }: { shotId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="small" onClick={() => setOpen(true)}>
        Import a render…
      </button>
      {open && <ImportDialog shotId={shotId} onClose={() => setOpen(false)} />}
    </>
  );
}

function ImportDialog({ shotId, onClose }: { shotId: string; onClose: () => void }) {
  const importTake = useImportTake(shotId);
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState("ComfyUI");
  const [prompt, setPrompt] = useState("");
  const [seed, setSeed] = useState("");
  const missing = !file ? "Choose the video file." : !source.trim() ? "Say which tool rendered it." : null;
  const send = () => {
    if (!file || missing) return;
    importTake.mutate({ file, source: source.trim(), prompt: prompt.trim(), seed: seed.trim() }, { onSuccess: onClose });
  };
  return (
    <ConfirmDialog open title="Import a render as a take" confirmLabel="Import" busy={importTake.isPending} error={importTake.error} onCancel={onClose} onConfirm={send}>
      <p className="muted small">
        A clip rendered in another tool joins this shot&apos;s takes. It is scanned for protected faces and published through the same consent checks as a take rendered here.
      </p>
      <Field id="import-file" label="Video file" hint="MP4, MOV, MKV or WebM">
        <input id="import-file" type="file" accept="video/*,.mp4,.mov,.mkv,.webm" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </Field>
      <Field id="import-source" label="Rendered with" hint="The tool or vendor, e.g. ComfyUI">
        <input id="import-source" value={source} maxLength={100} onChange={(e) => setSource(e.target.value)} />
      </Field>
      <Field id="import-prompt" label="Prompt (optional)">
        <textarea id="import-prompt" rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
      </Field>
      <Field id="import-seed" label="Seed (optional)">
        <input id="import-seed" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value.replace(/[^0-9]/g, ""))} />
      </Field>
      {missing && !importTake.isPending && <p className="muted small">{missing}</p>}
    </ConfirmDialog>
  );
}
