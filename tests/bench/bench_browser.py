"""Browser benchmark (issue 17): the shot list of a 2,000-shot show, its scrolling, the shot page and the player.

    .venv/bin/python tests/bench/bench_browser.py            (or: make bench, which runs every bench)
    BENCH_SHOTS=2000 BENCH_BROWSER_ROUNDS=5 .venv/bin/python tests/bench/bench_browser.py

What runs, all on 127.0.0.1 and all real: the built bundle (frontend/dist, built here when missing)
collected and served by uvicorn (studio.asgi, as in the e2e tests) against the configured
PostgreSQL (DATABASE_URL) and Redis; a Celery worker on the `media` queue that transcodes one
uploaded clip (ffmpeg) into its proxy, poster and sprite; Debian's Chromium driven by Playwright
(`executable_path`, headless, the e2e flags; never `playwright install`).

The benchmark builds its own studio, producer and project of BENCH_SHOTS shots in 20 sequences:
one clip is uploaded through the API and transcoded by the worker; every other shot gets a version
that shares that clip's processed media (so all 2,000 thumbnails are real list thumbnails, or with
BENCH_LIST_PICTURE=poster real 1280-px posters, as lists showed before thumbnails existed). At the end the
project goes; the studio and its user stay, disabled (the append-only audit log keeps their rows).
Figures come from Chromium's own clock (`performance.now()`, navigation timing,
`PerformanceObserver('longtask')`, `requestVideoFrameCallback`), measured in the page:

- shot list usable: from navigation start (a fresh browser context, empty cache, signed in) to the
  first shot rows in the DOM, and to "usable": those rows painted and the main thread free to
  handle input (a task posted after the rows appear has run, then a frame); long tasks until then;
- scrolling: the list's scroller driven one animation frame at a time from top to bottom
  (BENCH_SCROLL_STEP px a frame); frame intervals (median, p95, max), frames over 50 ms, long
  tasks, rows in the DOM, the main thread's busy time (Chromium's `Performance.getMetrics`: task,
  script, layout, style), and how long after the last scroll every row on screen shows its picture
  (pictures wait while the list flies past: components/Thumb.tsx);
- shot page after navigation from the list: from the click on a shot's code to its header shown
  and to its version stack shown; once with the pointer resting on the row first (as a person
  moves to a link, BENCH_HOVER_MS), once with a click that has no hover before it;
- player: from the click on "Review v001" on the shot page (the pointer on it BENCH_HOVER_MS first)
  to the video element's first decoded frame (`requestVideoFrameCallback`; `loadeddata` where the
  browser has no such callback) and to the player ready; the proxy's first request, sent and first
  byte (resource timing); the proxy's requests (Range headers and bytes) are listed.

Medians over BENCH_BROWSER_ROUNDS rounds. The browser, the server, the worker and PostgreSQL share
this machine's CPUs, so the figures include the client's own work, as a person's would.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.db import connection  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DIST_INDEX, _free_port  # noqa: E402
from tests.support.worker import WorkerProcess  # noqa: E402

SHOTS = int(os.environ.get("BENCH_SHOTS", 2000))
SEQUENCES = 20
ROUNDS = int(os.environ.get("BENCH_BROWSER_ROUNDS", 5))
SCROLL_STEP = int(os.environ.get("BENCH_SCROLL_STEP", 400))
HOVER_MS = int(os.environ.get("BENCH_HOVER_MS", 250))
# BENCH_LIST_PICTURE=poster: the other shots' versions have no list thumbnail (the list shows posters, as before).
LIST_PICTURE = os.environ.get("BENCH_LIST_PICTURE", "thumb")
PASSWORD = "bench-browser-password"

# Installed before any page script: long tasks, clicks, and waits measured on the page's own clock.
PROBE = """
(() => {
  const bench = (window.__bench = { longtasks: [], clickAt: null });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  addEventListener("click", () => (bench.clickAt = performance.now()), true);
  // Resolves when `selector` matches at least `min` elements: when they appeared, and when the page
  // was usable (a task posted then has run, i.e. the main thread was free for input, and a frame).
  bench.waitFor = (selector, min = 1) =>
    new Promise((resolve) => {
      const check = () => {
        const n = document.querySelectorAll(selector).length;
        if (n < min) return false;
        const seen = performance.now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => requestAnimationFrame(() => resolve({ seen, usable: performance.now(), count: n }));
        channel.port2.postMessage(0);
        return true;
      };
      if (check()) return;
      const observer = new MutationObserver(() => check() && observer.disconnect());
      observer.observe(document, { subtree: true, childList: true, attributes: true });
    });
  // The first frame a <video> matching `selector` decodes, once it exists.
  bench.firstFrame = (selector) =>
    new Promise((resolve) => {
      const out = {};
      const hook = (video) => {
        out.created = performance.now();
        video.addEventListener("loadeddata", () => (out.loadeddata ??= performance.now()), { once: true });
        const done = () => resolve(out);
        if (video.requestVideoFrameCallback) {
          video.requestVideoFrameCallback(() => {
            out.frame = performance.now();
            done();
          });
        } else video.addEventListener("loadeddata", done, { once: true });
      };
      const found = document.querySelector(selector);
      if (found) return hook(found);
      const observer = new MutationObserver(() => {
        const v = document.querySelector(selector);
        if (v) {
          observer.disconnect();
          hook(v);
        }
      });
      observer.observe(document, { subtree: true, childList: true });
    });
})();
"""

SCROLL = """
async (step) => {
  const scroller = document.querySelector(".project-body");
  const longFrom = window.__bench.longtasks.length;
  const intervals = [];
  let last = performance.now();
  const started = last;
  scroller.scrollTop = 0;
  while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1) {
    scroller.scrollTop += step;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    intervals.push(now - last);
    last = now;
  }
  const long = window.__bench.longtasks.slice(longFrom);
  // Pictures wait while the list flies past (components/Thumb.tsx): once it settles, the rows on
  // screen must show theirs. How long after the last scroll until every row on screen shows its
  // picture (polled each 25 ms, at most 5 s).
  const stopped = performance.now();
  const view = scroller.getBoundingClientRect();
  const count = () => {
    const onScreen = [...document.querySelectorAll("[data-testid=shot-row]")].filter((row) => {
      const r = row.getBoundingClientRect();
      return r.bottom > view.top && r.top < view.bottom;
    });
    const shown = onScreen.filter((row) => { const img = row.querySelector("img"); return img && img.complete && img.naturalWidth > 0; });
    return [onScreen.length, shown.length];
  };
  let [onScreen, pictured] = count();
  while (pictured < onScreen && performance.now() - stopped < 5000) {
    await new Promise((r) => setTimeout(r, 25));
    [onScreen, pictured] = count();
  }
  const settledMs = performance.now() - stopped;
  return {
    settledRows: onScreen, settledPictures: pictured, settledMs,
    ms: last - started, intervals, height: scroller.scrollHeight,
    longtasks: long.length, longtaskMs: long.reduce((s, [, d]) => s + d, 0),
    rowsInDom: document.querySelectorAll("[data-testid=shot-row]").length,
    lastRowShown: !!document.querySelector("[data-testid=shot-row]:last-of-type"),
  };
}
"""


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else float("nan")


# ---------------------------------------------------------------- the world

def make_clip(path: Path) -> Path:
    """A 2 s 1280×720 H.264 clip at 24 fps (ffmpeg's test pattern), as an artist would upload."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=24:d=2",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "24", str(path)],
        check=True,
    )
    return path


def seed_world() -> dict:
    from projects.models import Project, Sequence, Shot
    from studio.tenancy import services as tenancy_services
    from studio.tenancy.models import Membership, Organization, Role, User

    tag = uuid.uuid4().hex[:8]
    org = Organization.objects.create(kind="studio", name=f"Bench {tag}", slug=f"bench-browser-{tag}")
    user = User.objects.create_user(email=f"bench-browser-{tag}@bench.invalid", password=PASSWORD, display_name="Bench Producer")
    Membership.objects.create(user=user, organization=org, role=Role.PRODUCER)
    project = Project.objects.create(organization=org, name="Browser bench", code=f"BB{tag[:4].upper()}", required_lanes=["producer"])
    per = (SHOTS + SEQUENCES - 1) // SEQUENCES
    sequences = Sequence.objects.bulk_create(
        [Sequence(project=project, code=f"BB_{(i + 1) * 10:03d}", order=i) for i in range(SEQUENCES)]
    )
    statuses = [s for s in Shot.Status.values if s not in ("final", "approved")]
    shots = Shot.objects.bulk_create(
        [
            Shot(project=project, sequence=sequences[i // per], code=f"{sequences[i // per].code}_{(i % per + 1) * 10:04d}",
                 order=i % per, description=f"Shot {i}: the lighthouse at dusk, wide", prompt_notes="wide, dusk",
                 frame_in=1001, frame_out=1048, status=statuses[i % len(statuses)])
            for i in range(SHOTS)
        ],
        batch_size=1000,
    )
    _, key = tenancy_services.create_token(user=user, name="bench-browser")
    return {"org": org, "user": user, "project": project, "shots": shots, "key": key}


def upload_clip(base: str, key: str, shot_id: str, clip: Path) -> dict:
    """One real version: uploaded through the API and transcoded by the worker (proxy, poster, sprite)."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Token {key}"}, timeout=60) as client:
        with clip.open("rb") as handle:
            r = client.post(f"/api/v1/shots/{shot_id}/versions/", files={"file": (clip.name, handle, "video/mp4")})
        r.raise_for_status()
        version = r.json()
        deadline = time.monotonic() + 180
        while version["processing_status"] == "processing" and time.monotonic() < deadline:
            time.sleep(0.5)
            version = client.get(f"/api/v1/versions/{version['id']}/").json()
    if version["processing_status"] != "ready":
        raise RuntimeError(f"the clip was not processed: {version}")
    return version


def share_media(world: dict, source_id: str) -> None:
    """Every other shot gets a v001 whose media are the processed clip's files (bulk, no transcoding)."""
    from projects.models import Shot, Version

    src = Version.objects.get(pk=source_id)
    copy = {f: getattr(src, f) for f in (
        "proxy", "poster", "thumb", "sprite", "sprite_columns", "sprite_tile_width", "sprite_tile_height", "sprite_frames",
        "frame_count", "first_frame", "fps_num", "fps_den", "width", "height", "processing_status", "source",
    )}
    if LIST_PICTURE == "poster":  # as before list thumbnails existed: the list shows the 1280-px posters
        copy["thumb"] = ""
    others = [s for s in world["shots"] if s.pk != src.shot_id]
    versions = Version.objects.bulk_create(
        [Version(project=world["project"], shot=s, number=1, **copy) for s in others], batch_size=1000,
    )
    for shot, version in zip(others, versions, strict=True):
        shot.current_version = version
        shot.next_version_number = 2
    Shot.objects.bulk_update(others, ["current_version", "next_version_number"], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Shot._meta.db_table}, {Version._meta.db_table}")


def teardown_world(world: dict) -> None:
    """The project and everything in it go; the studio and its user stay, disabled: the audit log is
    append-only and keeps what they did (sign-in, token, upload)."""
    from projects.models import Project

    Project.objects.filter(pk=world["project"].pk).delete()
    user = world["user"]
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    user.api_tokens.all().delete()


# ---------------------------------------------------------------- the server

def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log_path = ROOT / "var" / "test" / "bench-browser-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "studio.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--ws", "websockets", "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {log_path}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code < 500:
                return proc, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer within 60 s; see {log_path}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


# ---------------------------------------------------------------- the measurements

def signed_in_state(browser, base: str, email: str) -> dict:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator(".topbar").wait_for()
    state = context.storage_state()
    context.close()
    return state


def fresh_page(browser, base: str, state: dict):
    context = browser.new_context(base_url=base, storage_state=state, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(60_000)
    context.add_init_script(PROBE)
    return context, context.new_page()


def measure_list(page, project_id: str) -> dict:
    """Navigation to the shot list in a fresh context: rows shown and usable, on the navigation's clock."""
    page.goto(f"/projects/{project_id}", wait_until="commit")
    got = page.evaluate("() => window.__bench.waitFor('[data-testid=shot-row]', 1)")
    stats = page.evaluate(
        r"""(usable) => ({
          longtasks: window.__bench.longtasks.filter(([s]) => s < usable).length,
          longtaskMs: window.__bench.longtasks.filter(([s]) => s < usable).reduce((a, [, d]) => a + d, 0),
          js: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js'))
                .reduce((a, e) => a + (e.encodedBodySize || 0), 0),
          jsFiles: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).length,
          domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
          shotsApi: performance.getEntriesByType('resource').filter((e) => /\/projects\/[^/]+\/shots\//.test(e.name))
                .map((e) => [e.startTime, e.responseEnd])[0] || [NaN, NaN],
        })""",
        got["usable"],
    )
    page.locator("[data-testid=shot-row]").first.wait_for()
    stats["apiStart"], stats["apiEnd"] = stats.pop("shotsApi")
    return {**got, **stats}


def measure_shot_page(page, project_id: str, code: str, *, hover: bool) -> dict:
    """From the list, click a shot's code: ms to the shot's header, and to its version stack."""
    page.goto(f"/projects/{project_id}")
    link = page.locator(f"[data-testid=shot-row][data-shot={code}] a.shot-code")
    link.wait_for()
    page.evaluate("() => { window.__nav = [window.__bench.waitFor('.shot-page h1'), window.__bench.waitFor('ol.version-stack')]; }")
    if hover:
        link.hover()
        page.wait_for_timeout(HOVER_MS)  # the pointer rests on the link, as a person's does before clicking
        link.click()
    else:
        link.evaluate("(a) => a.click()")  # no pointer over the row first: nothing was prefetched
    header, stack = page.evaluate("() => Promise.all(window.__nav)")
    click = page.evaluate("() => window.__bench.clickAt")
    return {"header": header["usable"] - click, "stack": stack["usable"] - click}


def measure_player(page, project_id: str, code: str, proxy_log: list) -> dict:
    """From the shot page, click "Review v001": ms to the first decoded frame and to the player ready."""
    page.goto(f"/projects/{project_id}")
    page.locator(f"[data-testid=shot-row][data-shot={code}] a.shot-code").click()
    review = page.locator(".page-header a.button", has_text="Review v001")
    review.wait_for()
    page.evaluate("() => { window.__frame = window.__bench.firstFrame('[data-testid=stage] video');"
                  " window.__ready = window.__bench.waitFor('[data-testid=player][data-ready=true]'); }")
    proxy_log.clear()
    review.hover()
    page.wait_for_timeout(HOVER_MS)  # the pointer rests on the button before the click, as for the shot page
    review.click()
    frame = page.evaluate("() => window.__frame")
    ready = page.evaluate("() => window.__ready")
    click = page.evaluate("() => window.__bench.clickAt")
    # The proxy's requests on Chromium's clock (resource timing): sent, first byte.
    proxy = page.evaluate("() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/media/proxy/'))"
                          ".map((e) => [e.startTime, e.responseStart])")
    after = [p for p in proxy if p[0] >= click]
    return {
        "element": frame["created"] - click,
        "frame": (frame.get("frame") or frame.get("loadeddata")) - click,
        "ready": ready["usable"] - click,
        "proxySent": (after[0][0] - click) if after else float("nan"),
        "proxyFirstByte": (after[0][1] - click) if after and after[0][1] else float("nan"),
    }


def measure_scroll(page, project_id: str) -> dict:
    page.goto(f"/projects/{project_id}")
    page.locator("[data-testid=shot-row]").first.wait_for()
    page.wait_for_timeout(300)  # thumbnails of the first screen settle
    # Chromium's own counters around the scroll: how long its main thread was busy, and with what.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    out = page.evaluate(SCROLL, SCROLL_STEP)
    after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    busy = {k: 1000 * (after[k] - before[k]) for k in ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")}
    iv = out.pop("intervals")
    return {**out, "frames": len(iv), "median": median(iv), "p95": pct(iv, 0.95), "max": max(iv), "over50": sum(1 for x in iv if x > 50),
            "busy": busy}


def run_browser(base: str, world: dict) -> dict:
    from playwright.sync_api import sync_playwright

    project_id = str(world["project"].id)
    codes = [s.code for s in world["shots"]]
    results: dict = {"list": [], "hover": [], "nohover": [], "player": [], "scroll": []}
    proxy_log: list = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        results["version"] = browser.version
        state = signed_in_state(browser, base, world["user"].email)
        for r in range(ROUNDS):
            context, page = fresh_page(browser, base, state)
            results["list"].append(measure_list(page, project_id))
            context.close()
            context, page = fresh_page(browser, base, state)
            page.on("request", lambda q: proxy_log.append((q.headers.get("range"), None)) if "/media/proxy/" in q.url else None)
            page.on("response", lambda s: proxy_log.append((s.status, s.headers.get("content-length"))) if "/proxy/" in s.url else None)
            # Shots on the first screen (a windowed list has only those rows in the DOM), a new one each time.
            results["hover"].append(measure_shot_page(page, project_id, codes[1 + 3 * r], hover=True))
            results["nohover"].append(measure_shot_page(page, project_id, codes[2 + 3 * r], hover=False))
            results["player"].append(measure_player(page, project_id, codes[3 + 3 * r], proxy_log))
            results["proxy"] = list(proxy_log)
            if r == 0:
                results["scroll"].append(measure_scroll(page, project_id))
            context.close()
        browser.close()
    return results


def report(results: dict, world: dict) -> None:
    def m(rows: list[dict], key: str) -> str:
        values = [row[key] for row in rows]
        return f"{median(values):.0f} ms (min {min(values):.0f}, max {max(values):.0f})"

    print(f"Chromium {results['version']}, {ROUNDS} rounds, {SHOTS} shots in {SEQUENCES} sequences")
    lst = results["list"]
    print(f"  shot list, fresh context: rows shown {m(lst, 'seen')}; usable {m(lst, 'usable')}")
    print(f"    rows in the DOM {lst[0]['count']}; long tasks before usable: median {median([r['longtasks'] for r in lst]):.0f}"
          f" ({median([r['longtaskMs'] for r in lst]):.0f} ms); JS {lst[0]['jsFiles']} files, {lst[0]['js'] / 1024:.0f} KiB on the wire;"
          f" DOMContentLoaded {m(lst, 'domContentLoaded')}")
    print(f"    the shot list's API request: sent at {m(lst, 'apiStart')}, answered by {m(lst, 'apiEnd')}"
          f" ({median([r['apiEnd'] - r['apiStart'] for r in lst]):.0f} ms in flight)")
    for s in results["scroll"]:
        print(f"  scroll {s['height']:.0f} px at {SCROLL_STEP} px/frame: {s['frames']} frames in {s['ms']:.0f} ms; frame interval median"
              f" {s['median']:.1f} ms, p95 {s['p95']:.1f} ms, max {s['max']:.0f} ms; {s['over50']} frames over 50 ms;"
              f" {s['longtasks']} long tasks ({s['longtaskMs']:.0f} ms); rows in the DOM at the end {s['rowsInDom']};"
              f" pictures in {s['settledPictures']} of the {s['settledRows']} rows on screen {s['settledMs']:.0f} ms after the scroll")
        b = s["busy"]
        print(f"    main thread busy during the scroll {b['TaskDuration']:.0f} ms (script {b['ScriptDuration']:.0f},"
              f" layout {b['LayoutDuration']:.0f}, style {b['RecalcStyleDuration']:.0f})")
    print(f"  shot page from the list, pointer on the row {HOVER_MS} ms first: header {m(results['hover'], 'header')};"
          f" version stack {m(results['hover'], 'stack')}")
    print(f"  shot page from the list, click without hover: header {m(results['nohover'], 'header')};"
          f" version stack {m(results['nohover'], 'stack')}")
    pl = results["player"]
    print(f"  player from the shot page: <video> in the page {m(pl, 'element')}; first decoded frame {m(pl, 'frame')};"
          f" player ready {m(pl, 'ready')}")
    print(f"    the proxy's first request: sent {m(pl, 'proxySent')}; first byte {m(pl, 'proxyFirstByte')} (from the click)")
    print(f"  the proxy's requests (last round, in order: Range asked / status, bytes): {json.dumps(results.get('proxy', []))}")


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium (EXTRA_APT=chromium deploy/bootstrap.sh).")
        return 1
    if not DIST_INDEX.exists():
        subprocess.run([str(ROOT / "frontend" / "scripts" / "task.sh"), "build"], check=True, cwd=ROOT)
    worker = WorkerProcess(queues="media", name=f"bench-browser-{uuid.uuid4().hex[:6]}")
    env = worker.env()
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], check=True, cwd=ROOT, env=env)
    print(f"database {connection.settings_dict['NAME']}; building {SHOTS} shots …", flush=True)
    world = seed_world()
    server = None
    try:
        worker.start()
        server, base = start_server(env)
        with tempfile.TemporaryDirectory() as tmp:
            first = upload_clip(base, world["key"], str(world["shots"][0].id), make_clip(Path(tmp) / "bench_clip.mp4"))
        share_media(world, first["id"])
        print("world ready; measuring", flush=True)
        report(run_browser(base, world), world)
    finally:
        if server is not None:
            stop(server)
        worker.stop()
        teardown_world(world)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
