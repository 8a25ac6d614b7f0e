/**
 * The player's keyboard map: one list drives both the key handler and the shortcut overlay (?),
 * so what the overlay says is what the keys do.
 */

export type PlayerAction =
  | "toggle-play"
  | "step-back"
  | "step-forward"
  | "step-back-10"
  | "step-forward-10"
  | "shuttle-j"
  | "shuttle-k"
  | "shuttle-l"
  | "go-start"
  | "go-end"
  | "mark-in"
  | "mark-out"
  | "clear-range"
  | "toggle-loop"
  | "speed-down"
  | "speed-up"
  | "prev-comment"
  | "next-comment"
  | "toggle-mute"
  | "toggle-fullscreen"
  | "tool-pen"
  | "tool-arrow"
  | "tool-rect"
  | "tool-ellipse"
  | "tool-text"
  | "tool-none"
  | "undo"
  | "redo"
  | "toggle-annotations"
  | "focus-comment"
  | "compare-flip"
  | "compare-mode"
  | "show-shortcuts"
  | "escape";

export interface Shortcut {
  action: PlayerAction;
  /** Keys as shown in the overlay. */
  keys: string[];
  label: string;
  group: "Playback" | "Range" | "Comments & drawing" | "View";
  match: (e: KeyboardEvent) => boolean;
}

const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey;
const key = (k: string) => (e: KeyboardEvent) => plain(e) && e.key.toLowerCase() === k && !e.shiftKey;
const mod = (e: KeyboardEvent) => (e.ctrlKey || e.metaKey) && !e.altKey;

export const SHORTCUTS: Shortcut[] = [
  { action: "toggle-play", keys: ["Space"], label: "Play / pause", group: "Playback", match: (e) => plain(e) && e.key === " " },
  { action: "step-back", keys: ["←"], label: "Back one frame", group: "Playback", match: (e) => plain(e) && !e.shiftKey && e.key === "ArrowLeft" },
  { action: "step-forward", keys: ["→"], label: "Forward one frame", group: "Playback", match: (e) => plain(e) && !e.shiftKey && e.key === "ArrowRight" },
  { action: "step-back-10", keys: ["Shift", "←"], label: "Back ten frames", group: "Playback", match: (e) => plain(e) && e.shiftKey && e.key === "ArrowLeft" },
  { action: "step-forward-10", keys: ["Shift", "→"], label: "Forward ten frames", group: "Playback", match: (e) => plain(e) && e.shiftKey && e.key === "ArrowRight" },
  { action: "shuttle-j", keys: ["J"], label: "Play backwards (again: faster)", group: "Playback", match: key("j") },
  { action: "shuttle-k", keys: ["K"], label: "Stop", group: "Playback", match: key("k") },
  { action: "shuttle-l", keys: ["L"], label: "Play forwards (again: faster)", group: "Playback", match: key("l") },
  { action: "go-start", keys: ["Home"], label: "First frame (of the range)", group: "Playback", match: (e) => plain(e) && e.key === "Home" },
  { action: "go-end", keys: ["End"], label: "Last frame (of the range)", group: "Playback", match: (e) => plain(e) && e.key === "End" },
  { action: "speed-down", keys: ["-"], label: "Slower", group: "Playback", match: (e) => plain(e) && (e.key === "-" || e.key === "_") },
  { action: "speed-up", keys: ["+"], label: "Faster", group: "Playback", match: (e) => plain(e) && (e.key === "+" || e.key === "=") },
  { action: "toggle-mute", keys: ["M"], label: "Mute / unmute", group: "Playback", match: key("m") },
  { action: "mark-in", keys: ["I"], label: "Set in point", group: "Range", match: key("i") },
  { action: "mark-out", keys: ["O"], label: "Set out point", group: "Range", match: key("o") },
  { action: "clear-range", keys: ["X"], label: "Clear in / out", group: "Range", match: key("x") },
  { action: "toggle-loop", keys: ["R"], label: "Loop on / off", group: "Range", match: key("r") },
  { action: "prev-comment", keys: [","], label: "Previous comment", group: "Comments & drawing", match: (e) => plain(e) && e.key === "," },
  { action: "next-comment", keys: ["."], label: "Next comment", group: "Comments & drawing", match: (e) => plain(e) && e.key === "." },
  { action: "focus-comment", keys: ["C"], label: "Write a comment at this frame", group: "Comments & drawing", match: key("c") },
  { action: "tool-pen", keys: ["P"], label: "Pen", group: "Comments & drawing", match: key("p") },
  { action: "tool-arrow", keys: ["A"], label: "Arrow", group: "Comments & drawing", match: key("a") },
  { action: "tool-rect", keys: ["B"], label: "Rectangle (box)", group: "Comments & drawing", match: key("b") },
  { action: "tool-ellipse", keys: ["E"], label: "Ellipse", group: "Comments & drawing", match: key("e") },
  { action: "tool-text", keys: ["T"], label: "Text", group: "Comments & drawing", match: key("t") },
  { action: "tool-none", keys: ["V"], label: "Stop drawing", group: "Comments & drawing", match: key("v") },
  { action: "undo", keys: ["Ctrl", "Z"], label: "Undo drawing", group: "Comments & drawing", match: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === "z" },
  {
    action: "redo",
    keys: ["Ctrl", "Shift", "Z"],
    label: "Redo drawing",
    group: "Comments & drawing",
    match: (e) => mod(e) && ((e.shiftKey && e.key.toLowerCase() === "z") || e.key.toLowerCase() === "y"),
  },
  { action: "toggle-annotations", keys: ["H"], label: "Hide / show drawings", group: "View", match: key("h") },
  { action: "compare-flip", keys: ["S"], label: "Compare: swap A / B", group: "View", match: key("s") },
  { action: "compare-mode", keys: ["W"], label: "Compare: side by side / wipe", group: "View", match: key("w") },
  { action: "toggle-fullscreen", keys: ["F"], label: "Full screen", group: "View", match: key("f") },
  { action: "show-shortcuts", keys: ["?"], label: "Show these shortcuts", group: "View", match: (e) => !e.ctrlKey && !e.metaKey && e.key === "?" },
  { action: "escape", keys: ["Esc"], label: "Close / cancel", group: "View", match: (e) => e.key === "Escape" },
];

/** The action for a key press, or null. */
export function actionFor(e: KeyboardEvent): PlayerAction | null {
  return SHORTCUTS.find((s) => s.match(e))?.action ?? null;
}

/** Key presses inside text fields belong to the field (except Escape). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["button", "checkbox", "radio", "range", "color", "submit", "reset"].includes(type);
  }
  return false;
}
