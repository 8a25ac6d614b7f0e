import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { layoutSlots, rowOffsets, scrollToReveal, visibleRange, type Slot } from "../lib/virtual";

/** The nearest ancestor that scrolls vertically (the project's body), or the document's scroller. */
function scrollParent(el: HTMLElement | null): HTMLElement {
  for (let node = el?.parentElement ?? null; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if (overflowY === "auto" || overflowY === "scroll" || overflowY === "overlay") return node;
  }
  return document.scrollingElement as HTMLElement;
}

export interface VirtualRows {
  /** Rows and spacer gaps to render, in order (every row when the list is short). */
  slots: Slot[];
  /** Put on the list's container (e.g. `<tbody>`): its position sets what is on screen. */
  containerRef: (el: HTMLElement | null) => void;
  /** Put on each rendered row (`ref={(el) => measure(index, el)}`): its real height replaces the estimate. */
  measure: (index: number, el: HTMLElement | null) => void;
  /** Keep row `index` rendered while it holds focus (null when focus leaves the list). */
  pin: (index: number | null) => void;
  /** Scroll row `index` into view (it is rendered on the next frame). */
  reveal: (index: number) => void;
}

/**
 * Renders only the rows of a long list that are near the viewport (lib/virtual.ts). Lists of at
 * most `threshold` rows are rendered whole, so short lists behave exactly like plain tables (the
 * browser's find-in-page sees every row). Heights are estimated by `estimate(index)` until a row is
 * measured.
 */
export function useVirtualRows({
  count,
  estimate,
  threshold = 150,
  overscan = 800,
}: {
  count: number;
  estimate: (index: number) => number;
  threshold?: number;
  overscan?: number;
}): VirtualRows {
  const enabled = count > threshold;
  const [container, setContainer] = useState<HTMLElement | null>(null);
  const [view, setView] = useState({ top: 0, height: typeof window === "undefined" ? 1000 : window.innerHeight });
  // Measured heights by row index, for one list (a new `estimate` means new rows: measure again).
  const [measured, setMeasured] = useState<{ of: typeof estimate; sizes: ReadonlyMap<number, number> }>({ of: estimate, sizes: new Map() });
  const [pinned, setPinned] = useState<number | null>(null);
  const scroller = useRef<HTMLElement | null>(null);

  const offsets = useMemo(() => {
    const known = measured.of === estimate ? measured.sizes : new Map<number, number>();
    return rowOffsets(Array.from({ length: count }, (_, i) => known.get(i) ?? estimate(i)));
  }, [count, estimate, measured]);

  const readView = useCallback(() => {
    const el = scroller.current;
    if (!el || !container) return;
    const listTop = container.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop;
    const top = el.scrollTop - listTop;
    const height = el.clientHeight;
    setView((v) => (Math.abs(v.top - top) < 1 && v.height === height ? v : { top, height }));
  }, [container]);

  useLayoutEffect(() => {
    if (!enabled || !container) return;
    const el = scrollParent(container);
    scroller.current = el;
    const target: HTMLElement | Window = el === document.scrollingElement ? window : el;
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        readView();
      });
    };
    readView();
    target.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll);
    return () => {
      cancelAnimationFrame(frame);
      target.removeEventListener("scroll", onScroll);
      window.removeEventListener("resize", onScroll);
    };
  }, [enabled, container, readView]);

  // Heights read as rows mount, applied together on the next frame (one re-layout, not one per row).
  const pending = useRef<{ frame: number; sizes: Map<number, number> }>({ frame: 0, sizes: new Map() });
  const measure = useCallback(
    (index: number, el: HTMLElement | null) => {
      if (!el) return;
      const h = el.getBoundingClientRect().height;
      if (!(h > 0) || Math.abs(offsets[index + 1]! - offsets[index]! - h) < 0.5) return;
      const p = pending.current;
      p.sizes.set(index, h);
      if (p.frame) return;
      p.frame = requestAnimationFrame(() => {
        const batch = p.sizes;
        p.frame = 0;
        p.sizes = new Map();
        setMeasured((m) => {
          const sizes = new Map(m.of === estimate ? m.sizes : []);
          for (const [i, size] of batch) sizes.set(i, size);
          return { of: estimate, sizes };
        });
      });
    },
    [offsets, estimate],
  );
  useEffect(() => () => cancelAnimationFrame(pending.current.frame), []);

  const reveal = useCallback(
    (index: number) => {
      const el = scroller.current;
      if (!el || !container) return;
      const listTop = container.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop;
      // Leave room for the sticky header row above the list.
      const header = container.previousElementSibling?.getBoundingClientRect().height ?? 0;
      const next = scrollToReveal(offsets, index, el.scrollTop + header, el.clientHeight - header, listTop) - header;
      if (Math.abs(next - el.scrollTop) >= 1) el.scrollTop = next;
      readView();
    },
    [container, offsets, readView],
  );

  const slots = useMemo(() => {
    if (!enabled) return Array.from({ length: count }, (_, index): Slot => ({ kind: "row", index }));
    const range = visibleRange(offsets, view.top, view.top + view.height, overscan);
    return layoutSlots(offsets, range, pinned === null ? [] : [pinned]);
  }, [enabled, count, offsets, view, overscan, pinned]);

  return { slots, containerRef: setContainer, measure: enabled ? measure : noop, pin: setPinned, reveal };
}

function noop() {}
