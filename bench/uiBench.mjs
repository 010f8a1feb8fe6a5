// The UI rows of `npm run bench` (row 10): the real VS Code (code-server + headless Chromium) timed where the
// user waits — a click on a collapsed row until its first child rows are painted (lock namespaces of 10k and
// 100k locks, a namespace of 10k HiveServer2 instances), and a filter's Enter until the 100k-lock tree shows it.
// Prints one `ROW <json cells>` line per row on stdout (bench.ts lays them out); progress goes to stderr.
/* global window, document, requestAnimationFrame -- the page-side functions run in Chromium */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureCodeServer, startCodeServer, workbenchSettings } from '../scripts/codeServer.mjs';
import { shortTempDir } from '../scripts/setup.mjs';

const require = createRequire(import.meta.url);
const { startZooKeeper, freePort } = require(join(ROOT, 'out/test/support/zkServer.js'));
const { ZkSession } = require(join(ROOT, 'out/src/core/zk/session.js'));
const { seedInstances, seedLocks } = require(join(ROOT, 'out/bench/seed.js'));
const { chromium } = require('playwright-core');

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const log = (...parts) => console.error(`[ui-bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
};
const ms = (values) => values.map((v) => v.toFixed(0)).join(', ');

/** Marks the time of the next matching input event, in the page's own clock (the click or Enter itself). */
function markNext(page, type) {
  return page.evaluate((eventType) => {
    window.hzkBenchT0 = undefined;
    const mark = (event) => {
      if (eventType !== 'keydown' || event.key === 'Enter') {
        window.hzkBenchT0 = performance.now();
        window.removeEventListener(eventType, mark, true);
      }
    };
    window.addEventListener(eventType, mark, true);
  }, type);
}

/**
 * Waits in the page, frame by frame, until a side-bar row's label matches `want` (and none is `gone`), then for
 * that frame to be painted (the next frame's callback, then a task); resolves to ms since the marked event.
 */
function paintedAfterMark(page, want, gone, timeoutMs = 180_000) {
  return page.evaluate(
    async ({ wantSource, goneLabel, timeout }) => {
      const pattern = new RegExp(wantSource);
      const ready = () => {
        const labels = [...document.querySelectorAll('[id="workbench.parts.sidebar"] .monaco-list-row .label-name')].map((e) => (e.textContent ?? '').trim());
        return labels.some((l) => pattern.test(l)) && (goneLabel === undefined || !labels.includes(goneLabel));
      };
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const end = performance.now() + timeout;
      while (!ready()) {
        if (performance.now() > end) {
          throw new Error(`no row matching ${wantSource} after ${timeout} ms`);
        }
        await frame();
      }
      await frame();
      await new Promise((r) => setTimeout(r, 0));
      return performance.now() - window.hzkBenchT0;
    },
    { wantSource: want.source, goneLabel: gone, timeout: timeoutMs },
  );
}

/** A lock row's label: its mode, then its query. */
const WAITING_LOCK = /^(shared|exclusive|semi[- ]shared) · /i;
const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** A button of the view's title bar (never a row's inline action). */
const titleButton = (page, name) => page.locator(`[id="workbench.parts.sidebar"] .action-label[aria-label^="${name}"]:not(.monaco-list-row *)`).first();

/** The workbench, its Hive ZooKeeper view open, and helpers on its side-bar rows. */
async function openView(context, origin, folder) {
  const page = context.pages()[0] ?? (await context.newPage());
  const authority = new URL(origin).host;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`], ['skipWelcome', 'true']];
  await page.goto(`${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  const icon = page.locator('.activitybar [aria-label^="Hive ZooKeeper"]').first();
  await icon.waitFor({ timeout: 60_000 });
  await icon.click();
  const row = (text) => page.locator('[id="workbench.parts.sidebar"] .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: text instanceof RegExp ? text : exactly(text) }) }).first();
  const setExpanded = async (text, expanded) => {
    const r = row(text);
    await r.waitFor({ timeout: 120_000 });
    if ((await r.getAttribute('aria-expanded')) !== String(expanded)) {
      await r.click();
      await page.mouse.move(0, 0);
    }
  };
  return { page, row, setExpanded };
}

/**
 * One click row: `runs` cold walks (Refresh forgets the walk, the row collapsed first, so the click reads the
 * namespace again) and as many cached re-expands (collapse, click again: the walk kept, only the tree redraws).
 */
async function clickRows(view, { target, child }) {
  const { page, row, setExpanded } = view;
  const time = async () => {
    await setExpanded(target, false);
    await page.waitForTimeout(300);
    await markNext(page, 'mousedown');
    await row(target).click();
    const took = await paintedAfterMark(page, child, undefined, Number(process.env.BENCH_UI_TIMEOUT_MS ?? 180_000));
    await page.mouse.move(0, 0);
    return took;
  };
  const first = await time();
  const cold = [];
  const cached = [];
  for (let run = 0; run < RUNS; run += 1) {
    await setExpanded(target, false);
    // The row's own Refresh (inline, on hover): it forgets that walk only (the palette has two "Refresh"es).
    await row(target).hover();
    await row(target).locator('.action-label[aria-label^="Refresh"]').click();
    await row(target).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    cold.push(await time());
    cached.push(await time());
  }
  return { first, cold, cached };
}

/** Filter…'s Enter until the 100k-lock tree shows only db3; Clear Filter (untimed) in between. */
async function filterRuns(view) {
  const { page, row } = view;
  const runs = [];
  for (let run = 0; run < RUNS; run += 1) {
    await titleButton(page, 'Filter').click();
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('db3');
    await markNext(page, 'keydown');
    await page.keyboard.press('Enter');
    runs.push(await paintedAfterMark(page, /^db3$/, 'db0'));
    await titleButton(page, 'Clear Filter').click();
    await row('db0').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(300);
  }
  return runs;
}

async function main() {
  const runTmp = shortTempDir('hzkui-');
  process.env.TMPDIR = runTmp;
  const bin = await ensureCodeServer(log);
  // The bundle that ships (minified, as in the VSIX); the development bundle is rebuilt at the end.
  spawnSync('node', ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'ignore' });
  const cluster = await startZooKeeper();
  const state = mkdtempSync(join(tmpdir(), 'hzkui-cs-'));
  const folder = mkdtempSync(join(tmpdir(), 'hzkui-ws-'));
  const profile = mkdtempSync(join(tmpdir(), 'hzkui-chrome-'));
  let server;
  let context;
  /** Once the page is open: a screenshot of the failure (test-results/), then the error. */
  let failed = (error) => Promise.reject(error);
  try {
    const zk = cluster.connectString;
    const seeder = new ZkSession({ connectString: zk, requestTimeoutMs: 120_000 });
    const seedStart = Date.now();
    await seedInstances(seeder, 'ui10kinstances', 10_000);
    const locks10k = await seedLocks(seeder, 'uilocks10k', 10, 10, 20, 5);
    const locks100k = await seedLocks(seeder, 'uilocks100k', 10, 10, 100, 10);
    seeder.close();
    log(`seeded 10k instances, ${locks10k} and ${locks100k} locks in ${((Date.now() - seedStart) / 1000).toFixed(0)} s`);
    // One ensemble per namespace (an ensemble has one lock namespace): only the one measured is expanded.
    const ensembles = [
      { name: 'ui-locks10k', connectString: zk, lockNamespace: 'uilocks10k' },
      { name: 'ui-locks100k', connectString: zk, lockNamespace: 'uilocks100k' },
      { name: 'ui-instances', connectString: zk, hs2Namespaces: ['ui10kinstances'], lockNamespace: 'uinolocks' },
    ];
    const port = await freePort();
    server = await startCodeServer(bin, state, port, { env: { HIVEZK_PROBE_LOOPBACK_ONLY: '1' }, settings: workbenchSettings({ 'hiveZk.ensembles': ensembles, 'hiveZk.doctor.loopbackOnly': true }) });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)),
      headless: true,
      viewport: { width: 1400, height: 860 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-features=LocalNetworkAccessChecks'],
    });
    const view = await openView(context, `http://127.0.0.1:${port}`, folder);
    failed = (error) => view.page.screenshot({ path: join(ROOT, 'test-results', 'ui-bench-failure.png') }).then(() => Promise.reject(error));
    const emit = (name, measured, goalMs, what) => {
      const value = median(measured.cold);
      const met = goalMs === undefined ? '' : `≤ ${goalMs} ms ${value <= goalMs ? 'met' : 'MISSED'}`;
      console.log(`ROW ${JSON.stringify([name, value.toFixed(0), '—', '—', '—', '—', met, `cold walk after Refresh, ${RUNS} runs: ${ms(measured.cold)}; first ever ${measured.first.toFixed(0)}; cached re-expand median ${median(measured.cached).toFixed(0)} (${what})`])}`);
    };
    for (const [ensemble, rows, name, goal, what] of [
      ['ui-locks10k', locks10k, '10. UI: click Locks → rows painted (10k locks)', undefined, 'Waiting summary\'s first lock rows'],
      ['ui-locks100k', locks100k, '10. UI: click Locks → rows painted (100k locks)', 1000, 'Waiting summary\'s first lock rows'],
    ]) {
      log(`${ensemble}: ${rows} locks`);
      await view.setExpanded(ensemble, true);
      // The section opens on its Waiting summary, expanded (each seeded partition has an exclusive lock with
      // shared ones queued behind it): its first lock rows are the rows the user sees first.
      emit(name, await clickRows(view, { target: 'Locks', child: WAITING_LOCK }), goal, what);
      if (ensemble === 'ui-locks100k') {
        // The filter on the 100k-lock tree: Locks expanded, Waiting collapsed, so the db rows are on screen.
        await view.setExpanded('Locks', true);
        await view.setExpanded(/^Waiting \(\d+\)$/, false);
        await view.row('db0').waitFor({ timeout: 120_000 });
        const runs = await filterRuns(view);
        const value = median(runs);
        console.log(`ROW ${JSON.stringify(['10. UI: filter Enter → tree updated (100k locks)', value.toFixed(0), '—', '—', '—', '—', `≤ 300 ms ${value <= 300 ? 'met' : 'MISSED'}`, `"db3": db0…db9 → db3 alone, ${RUNS} runs: ${ms(runs)}`])}`);
        await view.setExpanded('Locks', false);
      }
      await view.setExpanded(ensemble, false);
    }
    log('ui-instances: 10k instances');
    await view.setExpanded('ui-instances', true);
    await view.setExpanded('HiveServer2', true);
    emit('10. UI: click namespace → rows painted (10k instances)', await clickRows(view, { target: 'ui10kinstances', child: /^hs2-\d+\.bench\.example\.com:10000$/ }), 300, 'instance rows, first page');
  } catch (error) {
    await failed(error);
  } finally {
    await context?.close();
    server?.kill('SIGTERM');
    await cluster.stop();
    spawnSync('node', ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
    for (const dir of [state, folder, profile, runTmp]) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
