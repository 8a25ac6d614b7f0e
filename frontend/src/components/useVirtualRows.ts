import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { layoutSlots, rowOffsets, scrollToReveal, visibleRange, type RowRange, type Slot } from "../lib/virtual";

/** The nearest ancestor that scrolls vertically (the project's body), or the document's scroller. */
function scrollParent(el: HTMLElement | null): HTMLElement {
  for (let node = el?.parentElement ?? null; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if (overflowY === "auto" || overflowY === "scroll" || overflowY === "overlay") return node;
  }
  return document.scrollingElement as HTMLElement;
}

/** Where the list starts inside its scroller's content, in px. */
function listTopIn(scroller: HTMLElement, list: HTMLElement): number {
  return list.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
}

export interface VirtualRows {
  /** Rows and spacer gaps to render, in order (every row when the list is short). */
  slots: Slot[];
  /** Put on the list's container (e.g. `<tbody>`): its position sets what is on screen. */
  containerRef: (el: HTMLElement | null) => void;
  /**
   * Call from a rendered row's ref (`measure(index, el)`) when rows may differ from their estimate:
   * its real height replaces it. Stable. Each call reads layout, so rows of a known height skip it.
   */
  measure: (index: number, el: HTMLElement | null) => void;
  /** Keep row `index` rendered while it holds focus (null when focus leaves the list). Stable. */
  pin: (index: number | null) => void;
  /** Scroll row `index` into view (it is rendered on the next frame). Stable. */
  reveal: (index: number) => void;
  /**
   * True while the list is being scrolled (a scroll event in the last `settleMs`): rows can leave out
   * what costs a network request (pictures not yet loaded) for rows that only fly past. It changes
   * twice per scroll gesture, not per frame.
   */
  scrolling: boolean;
}

const sameRange = (a: RowRange, b: RowRange) => a.start === b.start && a.end === b.end;

/**
 * Renders only the rows of a long list that are near the viewport (lib/virtual.ts). Lists of at
 * most `threshold` rows are rendered whole, so short lists behave exactly like plain tables (the
 * browser's find-in-page sees every row). Heights are estimated by `estimate(index)` until a row is
 * measured. Scrolling re-renders only when the set of rows changes, at most once a frame.
 */
export function useVirtualRows({
  count,
  estimate,
  threshold = 150,
  overscan = 800,
  settleMs = 150,
}: {
  count: number;
  estimate: (index: number) => number;
  threshold?: number;
  overscan?: number;
  settleMs?: number;
}): VirtualRows {
  const enabled = count > threshold;
  const [container, setContainer] = useState<HTMLElement | null>(null);
  // Measured heights by row index, for one list (a new `estimate` means new rows: measure again).
  const [measured, setMeasured] = useState<{ of: typeof estimate; sizes: ReadonlyMap<number, number> }>({ of: estimate, sizes: new Map() });
  const [pinned, setPinned] = useState<number | null>(null);
  const [range, setRange] = useState<RowRange>(() => ({ start: 0, end: Math.min(count, 30) }));
  const [scrolling, setScrolling] = useState(false);

  const offsets = useMemo(() => {
    const known = measured.of === estimate ? measured.sizes : new Map<number, number>();
    return rowOffsets(Array.from({ length: count }, (_, i) => known.get(i) ?? estimate(i)));
  }, [count, estimate, measured]);

  // What event handlers read (never read during render).
  // `listTop` (where the list starts in the scroller) is read when the layout may have moved, not
  // on every scroll: a scroll only reads scrollTop and the viewport's height.
  const live = useRef({ offsets, estimate, container, scroller: null as HTMLElement | null, overscan, listTop: 0 });
  useLayoutEffect(() => {
    Object.assign(live.current, { offsets, estimate, container, overscan });
  });

  const readView = useCallback((relayout = false) => {
    const l = live.current;
    if (!l.scroller || !l.container) return;
    if (relayout) l.listTop = listTopIn(l.scroller, l.container);
    const top = l.scroller.scrollTop - l.listTop;
    const next = visibleRange(l.offsets, top, top + l.scroller.clientHeight, l.overscan);
    setRange((r) => (sameRange(r, next) ? r : next));
  }, []);

  useLayoutEffect(() => {
    if (!enabled || !container) return;
    const el = scrollParent(container);
    live.current.scroller = el;
    const target: HTMLElement | Window = el === document.scrollingElement ? window : el;
    let frame = 0;
    let settle = 0;
    let moving = false;
    const later = (relayout: boolean) => () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        readView(relayout);
      });
    };
    const onFrame = later(false);
    const onScroll = () => {
      onFrame();
      if (!moving) {
        moving = true;
        setScrolling(true);
      }
      clearTimeout(settle);
      settle = window.setTimeout(() => {
        moving = false;
        setScrolling(false);
      }, settleMs);
    };
    const onResize = later(true);
    readView(true);
    target.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onResize);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(settle);
      target.removeEventListener("scroll", onScroll);
      window.removeEventListener("resize", onResize);
    };
  }, [enabled, container, readView, settleMs]);

  // New measurements move rows: what is on screen may have changed.
  useLayoutEffect(() => {
    if (enabled) readView(true);
  }, [enabled, offsets, readView]);

  // Heights read as rows mount, applied together on the next frame (one re-layout, not one per row).
  const pending = useRef<{ frame: number; sizes: Map<number, number> }>({ frame: 0, sizes: new Map() });
  const measure = useCallback((index: number, el: HTMLElement | null) => {
    if (!el) return;
    const { offsets: o, estimate: of } = live.current;
    const h = el.getBoundingClientRect().height;
    if (!(h > 0) || index + 1 >= o.length || Math.abs(o[index + 1]! - o[index]! - h) < 0.5) return;
    const p = pending.current;
    p.sizes.set(index, h);
    if (p.frame) return;
    p.frame = requestAnimationFrame(() => {
      const batch = p.sizes;
      p.frame = 0;
      p.sizes = new Map();
      setMeasured((m) => {
        const sizes = new Map(m.of === of ? m.sizes : []);
        for (const [i, size] of batch) sizes.set(i, size);
        return { of, sizes };
      });
    });
  }, []);
  useEffect(() => {
    const p = pending.current;
    return () => cancelAnimationFrame(p.frame);
  }, []);

  const reveal = useCallback(
    (index: number) => {
      const { scroller, container: list, offsets: o } = live.current;
      if (!scroller || !list) return;
      // Leave room for the sticky header row above the list.
      const header = list.previousElementSibling?.getBoundingClientRect().height ?? 0;
      const next = scrollToReveal(o, index, scroller.scrollTop + header, scroller.clientHeight - header, listTopIn(scroller, list)) - header;
      if (Math.abs(next - scroller.scrollTop) >= 1) scroller.scrollTop = next;
      readView(true);
    },
    [readView],
  );

  const slots = useMemo(() => {
    if (!enabled) return Array.from({ length: count }, (_, index): Slot => ({ kind: "row", index }));
    const clamped = { start: Math.min(range.start, count), end: Math.min(range.end, count) };
    return layoutSlots(offsets, clamped, pinned === null ? [] : [pinned]);
  }, [enabled, count, offsets, range, pinned]);

  return { slots, containerRef: setContainer, measure: enabled ? measure : noop, pin: setPinned, reveal, scrolling: enabled && scrolling };
}

function noop() {}
