// Runs the extension tests inside a real VS Code (code-server from npm, driven by headless Debian
// Chromium through playwright-core), then a UI check that clicks through the workbench and takes
// screenshots, then installs the packaged VSIX and checks it activates. Exit code 0 only if all pass.
//
// Usage: node test/extension/run-in-code-server.mjs [--skip-ui] [--skip-vsix] [--only-kerberos]
// Needs: Debian's chromium and ripgrep (the CI script installs them), network to the npm registry
// on first run (code-server is installed into .vscode-test/, then reused).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_SERVER_VERSION, ROOT, ensureCodeServer, installExtension, startCodeServer, workbenchSettings } from '../../scripts/codeServer.mjs';
import { runQuiet, shortTempDir } from '../../scripts/setup.mjs';
import { runKerberosVsixChecks } from './kerberosVsix.mjs';

const require = createRequire(import.meta.url);
const RESULTS = join(ROOT, 'test-results');
const args = new Set(process.argv.slice(2));
const log = (...parts) => console.log(`[extension-tests ${new Date().toISOString().slice(11, 19)}]`, ...parts);

const { startZooKeeper, freePort } = require(join(ROOT, 'out/test/support/zkServer.js'));
const { ZkSession } = require(join(ROOT, 'out/src/core/zk/session.js'));
const { seedSandbox } = require(join(ROOT, 'out/test/support/sandbox.js'));
const { makeTestCertificates } = require(join(ROOT, 'out/test/support/certs.js'));
const { registerHs2 } = require(join(ROOT, 'out/test/support/hiveSeed.js'));
const { secureTransport } = require(join(ROOT, 'out/src/core/zk/auth/secureTransport.js'));
const { chromium } = require('playwright-core');

function chromiumPath() {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  throw new Error('Chromium is not installed. On Debian: sudo apt-get install -y chromium');
}

async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'chrome-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-features=LocalNetworkAccessChecks'],
  });
  return { context, profile };
}

/** Opens the workbench with our extension in development mode, optionally running the test module. */
async function openWorkbench(context, origin, folder, testsPath) {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const authority = new URL(origin).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [['extensionDevelopmentPath', remote(ROOT)], ['skipWelcome', 'true']];
  if (testsPath) {
    payload.push(['extensionTestsPath', remote(testsPath)]);
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const url = `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return { page, url };
}

async function runExtensionTests(origin, folder, entry = 'out/test/extension/suite/index') {
  const { context, profile } = await launchBrowser();
  try {
    const { page, url } = await openWorkbench(context, origin, folder, join(ROOT, entry));
    let done;
    const finished = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationLog', (type, parts) => console.log('  [host]', type, ...(parts ?? [])));
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|favicon|ERR_/.test(m.text())) {
        console.log('  [browser error]', m.text().slice(0, 300));
      }
    });
    await page.goto(url);
    const timer = setTimeout(() => done('timeout'), 8 * 60_000);
    const code = await finished;
    clearTimeout(timer);
    return code;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function runUiCheck(origin, folder, shots, seeder) {
  const { context, profile } = await launchBrowser();
  const page = context.pages()[0] ?? (await context.newPage());
  const step = (text) => log(`ui: ${text}`);
  try {
    const { url } = await openWorkbench(context, origin, folder);
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    const icon = page.locator('.activitybar [aria-label^="Hive ZooKeeper"]').first();
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    step('activity-bar icon clicked');
    const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const sidebarRow = (text) => page.locator('[id="workbench.parts.sidebar"] .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(text) }) }).first();
    await sidebarRow('sandbox').waitFor({ timeout: 30_000 });
    for (const label of ['sandbox', 'HiveServer2', 'hiveserver2', 'Locks', 'sales', 'orders']) {
      const row = sidebarRow(label);
      await row.waitFor({ timeout: 30_000 });
      if ((await row.getAttribute('aria-expanded')) === 'false') {
        await row.click();
        // Off the tree: a row's hover (a lock's tooltip) left open would cover the next row to click.
        await page.mouse.move(0, 0);
      }
      step(`expanded ${label}`);
    }
    await sidebarRow('hs2-c.example.com:10000').waitFor({ timeout: 30_000 });
    await sidebarRow('ds=2026-11-24').click();
    await sidebarRow('ds=2026-11-24').waitFor({ timeout: 30_000 });
    const rows = await page.locator('[id="workbench.parts.sidebar"] .monaco-list-row').allInnerTexts();
    step(`tree rows: ${rows.map((r) => r.replace(/\n/g, ' ')).join(' ; ')}`);
    for (const expected of ['hs2-a.example.com:10000', 'hs2-d.example.com:10001', 'hs2-e.example.com:10000', 'hiveserver2-analytics', 'hs2ActivePassiveHA', 'finance', 'web']) {
      if (!rows.some((r) => r.includes(expected))) {
        throw new Error(`tree row "${expected}" is missing`);
      }
    }
    // Widen the side bar so descriptions are readable in the screenshot.
    const sidebar = await page.locator('[id="workbench.parts.sidebar"]').boundingBox();
    if (sidebar) {
      await page.mouse.move(sidebar.x + sidebar.width + 1, sidebar.y + 300);
      await page.mouse.down();
      await page.mouse.move(sidebar.x + 560, sidebar.y + 300, { steps: 8 });
      await page.mouse.up();
    }
    await page.mouse.move(1000, 700);
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(shots, 'tree.png') });
    step(`screenshot ${join(shots, 'tree.png')}`);
    if (process.env.HIVEZK_UPDATE_SCREENSHOT === '1') {
      copyFileSync(join(shots, 'tree.png'), join(ROOT, 'media', 'screenshot-tree.png'));
      step('updated media/screenshot-tree.png');
    }
    await sidebarRow('hs2-c.example.com:10000').hover();
    await page.waitForTimeout(1200);
    await page.screenshot({ path: join(shots, 'tooltip.png') });

    // An open hover stays open through a live update of another namespace (that only the changed
    // namespace is redrawn is the extension test "…redrawing its namespace alone"; a whole-tree
    // redraw keeps this hover open too, as VS Code reuses rows by id).
    const analytics = sidebarRow('hiveserver2-analytics');
    if ((await analytics.getAttribute('aria-expanded')) === 'false') {
      await analytics.click();
    }
    const hover = page.locator('.monaco-hover', { hasText: 'HiveServer2 instance' }).first();
    await sidebarRow('hs2-c.example.com:10000').hover();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    const liveInstance = await registerHs2(seeder, 'hiveserver2-analytics', { host: 'hs2-live.example.com', port: 10000, variant: 'v3-binary' });
    await sidebarRow('hs2-live.example.com:10000').waitFor({ timeout: 10_000 });
    await page.waitForTimeout(800);
    const hoverSurvived = await hover.isVisible();
    await seeder.remove(liveInstance);
    if (!hoverSurvived) {
      await page.screenshot({ path: join(shots, 'hover-closed.png') });
      throw new Error('the hover over hs2-c closed when another namespace (hiveserver2-analytics) was updated live');
    }
    step('a live update of another namespace left the open hover open');
    await documentationShot(step, 'blocked-lock.png', async () => {
      // The open hover goes first: the pointer leaves the tree, then rests on the waiting lock.
      await page.mouse.move(1000, 700);
      await page.waitForTimeout(800);
      await page.locator('[id="workbench.parts.sidebar"] .monaco-list-row', { hasText: 'behind shared lock' }).last().hover();
      await page.waitForTimeout(1500);
      await page.screenshot({ path: join(shots, 'blocked-lock.png') });
    });

    // The view's title buttons act on the view, never on the focused row (VS Code hands view/title
    // commands the focused row): with a lock group focused, Resolve and + open their own prompts.
    const titleButton = (name) => page.locator(`[id="workbench.parts.sidebar"] .action-label[aria-label^="${name}"]:not(.monaco-list-row *)`).first();
    const quickRow = (text) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await sidebarRow('orders').click();
    await titleButton('Resolve JDBC URL').click();
    await quickRow('sandbox / hiveserver2').waitFor({ timeout: 10_000 });
    // Namespaces the tree found are offered too, not only the configured one.
    await quickRow('sandbox / hiveserver2-analytics').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    await sidebarRow('orders').click();
    await titleButton('Add ZooKeeper Ensemble').click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Step 1 of 6' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    step('title buttons with a row focused: Resolve offers the namespaces, + opens the wizard');

    // A command from the palette: resolve a discovery URL and read the quick pick it opens.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill('>Hive ZooKeeper: Resolve JDBC URL');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Resolve JDBC URL' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    // The palette offers the configured ensembles' namespaces (or a URL of one's own).
    const source = page.locator('.quick-input-list .monaco-list-row', { hasText: 'sandbox / hiveserver2' }).first();
    await source.waitFor({ timeout: 10_000 });
    await source.click();
    const picked = page.locator('.quick-input-list .monaco-list-row', { hasText: 'random pick: the driver picks anew' }).first();
    await picked.waitFor({ timeout: 20_000 });
    const pickRows = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    const candidates = pickRows.filter((row) => /\.example\.com:\d+/.test(row));
    step(`resolve quick pick: ${candidates.length} candidates of ${pickRows.length} rows; chosen: ${(await picked.innerText()).replace(/\n/g, ' ')}`);
    if (candidates.length !== 5 || !pickRows.some((row) => row.includes('Open the whole resolution as JSON'))) {
      throw new Error(`expected 5 candidates and the JSON row in the resolve quick pick, saw: ${pickRows.join(' | ')}`);
    }
    await page.screenshot({ path: join(shots, 'resolve.png') });
    await page.keyboard.press('Escape');

    // The Add wizard in VS Code's own QuickInput: "Step n of m", the name check, Back keeps what was typed, Escape.
    const widget = page.locator('.quick-input-widget');
    const title = widget.locator('.quick-input-title');
    const back = widget.locator('[aria-label^="Back"]');
    await page.keyboard.press('F1');
    await input.fill('>Hive ZooKeeper: Add ZooKeeper Ensemble');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Add ZooKeeper Ensemble…' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await title.filter({ hasText: 'Step 1 of 6' }).waitFor({ timeout: 10_000 });
    if (await back.isVisible()) {
      throw new Error('the wizard\'s first step offers Back');
    }
    await input.fill('zk-ui.example.com:2181');
    await page.keyboard.press('Enter');
    await title.filter({ hasText: 'Step 2 of 6' }).waitFor({ timeout: 10_000 });
    const offeredName = await input.inputValue();
    await input.fill('sandbox');
    await widget.locator('.quick-input-message', { hasText: 'already exists' }).waitFor({ timeout: 10_000 });
    await back.first().click();
    await title.filter({ hasText: 'Step 1 of 6' }).waitFor({ timeout: 10_000 });
    const keptConnectString = await input.inputValue();
    if (offeredName !== 'zk-ui.example.com' || keptConnectString !== 'zk-ui.example.com:2181') {
      throw new Error(`wizard: offered name "${offeredName}", connect string after Back "${keptConnectString}"`);
    }
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 10_000 });
    step('add wizard: Step 1 of 6 → Step 2 of 6 (name offered, "sandbox" refused) → Back keeps the connect string → Escape');
    // The wizard's failed test: the reason in a message, the prompt saying what to change.
    await documentationShot(step, 'wizard-failure.png', async () => {
      await page.keyboard.press('F1');
      await input.fill('>Hive ZooKeeper: Add ZooKeeper Ensemble');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Add ZooKeeper Ensemble…' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await title.filter({ hasText: 'Step 1 of 6' }).waitFor({ timeout: 10_000 });
      await input.fill('127.0.0.1:1');
      await page.keyboard.press('Enter');
      for (const n of [2, 3, 4]) {
        await title.filter({ hasText: `Step ${n} of 6` }).waitFor({ timeout: 10_000 });
        await page.keyboard.press('Enter');
      }
      await title.filter({ hasText: 'Step 5 of 6' }).waitFor({ timeout: 10_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'None' }).first().click();
      await title.filter({ hasText: 'Step 6 of 6' }).waitFor({ timeout: 10_000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Test Connection' }).first().click();
      await page.locator('.notifications-toasts', { hasText: 'refused the connection' }).first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(shots, 'wizard-failure.png') });
      await page.keyboard.press('Escape');
    });
    return true;
  } catch (error) {
    log(`ui check failed: ${error.message}`);
    await page.screenshot({ path: join(shots, 'ui-error.png') }).catch(() => {});
    return false;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** A screenshot for the README: best effort (a miss is logged, it fails nothing, as it asserts nothing). */
async function documentationShot(step, name, take) {
  try {
    await take();
    step(`screenshot ${name}`);
  } catch (error) {
    step(`screenshot ${name} not taken: ${error.message.split('\n')[0]}`);
  }
}

/** Installs the packaged VSIX into a fresh code-server and checks that it activates there. */
async function runVsixCheck(bin, vsix, zk) {
  const state = mkdtempSync(join(tmpdir(), 'hivezk-vsix-'));
  try {
    await installExtension(bin, state, vsix);
  } catch (error) {
    log(`vsix install failed: ${error.message}`);
    return false;
  }
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'hivezk-ws-'));
  const server = await startCodeServer(bin, state, port, { settings: baseSettings(zk) });
  const { context, profile } = await launchBrowser();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
    await page.locator('.activitybar [aria-label^="Hive ZooKeeper"]').first().click({ timeout: 60_000 });
    await page.locator('[id="workbench.parts.sidebar"] .monaco-list-row', { hasText: 'sandbox' }).first().click({ timeout: 30_000 });
    await page.locator('[id="workbench.parts.sidebar"] .monaco-list-row', { hasText: 'HiveServer2' }).first().waitFor({ timeout: 30_000 });
    log('vsix: installed extension activated and listed the sandbox ensemble');
    return true;
  } catch (error) {
    log(`vsix check failed: ${error.message}`);
    return false;
  } finally {
    await context.close();
    server.kill('SIGTERM');
    rmSync(profile, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * A second ZooKeeper serving TLS (client certificates required) and enforcing SASL DIGEST-MD5, with
 * certificates made now, and one HiveServer2 registered through a secured session (kept open: the
 * registration is ephemeral). Its facts reach the tests as HIVEZK_TEST_SECURE (JSON; test-only passwords).
 */
async function startSecureZooKeeper() {
  const certs = await makeTestCertificates();
  const saslUser = 'bob';
  const saslPassword = 'ext-digest-pw-5';
  const cluster = await startZooKeeper({
    tls: { keyStore: certs.serverP12, trustStore: certs.truststoreP12, password: certs.password, clientAuth: 'need' },
    sasl: { mechanism: 'digest', users: { [saslUser]: saslPassword } },
  });
  const transport = secureTransport({
    tls: { caFile: certs.caPem, certFile: certs.clientCertPem, keyFile: certs.clientKeyPem },
    sasl: { mechanism: 'digest', credential: { username: saslUser, password: saslPassword } },
  });
  const seeder = new ZkSession({ connectString: cluster.secureConnectString, connectTimeoutMs: 30_000, requestTimeoutMs: 30_000, transport });
  await registerHs2(seeder, 'hs2-secure', { host: 'secure-hs2.example.com', port: 10000, variant: 'v3-binary', version: '4.0.1' });
  const facts = {
    connectString: cluster.secureConnectString,
    namespace: 'hs2-secure',
    instance: 'secure-hs2.example.com:10000',
    storePassword: certs.password,
    truststoreP12: certs.truststoreP12,
    clientP12: certs.clientP12,
    caPem: certs.caPem,
    saslUser,
    saslPassword,
  };
  return {
    facts,
    stop: async () => {
      seeder.close();
      await cluster.stop();
      certs.remove();
    },
  };
}

/**
 * The workspace-trust tests: a second code-server with workspace trust on, opened on a folder that
 * is never trusted and whose .vscode/settings.json brings its own ensemble, beeline and BeeLine
 * options (a script to run). Returns whether they passed.
 */
async function runUntrustedWorkspaceTests(bin, zk) {
  const state = mkdtempSync(join(tmpdir(), 'hivezk-cs-untrusted-'));
  const folder = mkdtempSync(join(tmpdir(), 'hivezk-ws-untrusted-'));
  mkdirSync(join(folder, '.vscode'));
  writeFileSync(join(folder, 'evil.sql'), '!sh touch /tmp/hivezk-untrusted-workspace-ran\n');
  writeFileSync(
    join(folder, '.vscode', 'settings.json'),
    JSON.stringify({
      'hiveZk.ensembles': [{ name: 'from-workspace', connectString: zk, beelineArgs: ['--scriptFile=evil.sql', '--initFiles=evil.sql'] }],
      'hiveZk.beeline.path': './evil-beeline',
      'hiveZk.beeline.user': '--evil',
      'hiveZk.tree.pageSize': 37,
    }),
  );
  const resultsFile = join(RESULTS, 'extension-tests-untrusted.txt');
  rmSync(resultsFile, { force: true });
  const port = await freePort();
  const settings = workbenchSettings({
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'hiveZk.ensembles': [{ name: 'user-ensemble', connectString: zk }],
  });
  const server = await startCodeServer(bin, state, port, { env: { HIVEZK_TEST_ZK: zk, HIVEZK_TEST_RESULTS: resultsFile }, settings, workspaceTrust: true });
  try {
    const code = await runExtensionTests(`http://127.0.0.1:${port}`, folder, 'out/test/extension/suite/untrustedIndex');
    process.stdout.write(existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '');
    log(`untrusted-workspace tests exit code: ${code}`);
    return code === 0;
  } finally {
    server.kill('SIGTERM');
    rmSync(state, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  }
}

function baseSettings(zk) {
  // The registry doctor probes loopback only in the tests (the setting; the environment below says it too).
  return workbenchSettings({ 'hiveZk.ensembles': [{ name: 'sandbox', connectString: zk }], 'hiveZk.doctor.loopbackOnly': true });
}

// code-server, its extension hosts and Chromium write sockets and caches to the temp dir: this
// run gets its own, removed at the end, so nothing is left in /tmp. Its path is kept short, as
// socket paths are limited (a long TMPDIR made Chromium refuse: "Socket path too long").
const runTmp = shortTempDir('hzk-');
process.env.TMPDIR = runTmp;
process.once('exit', () => rmSync(runTmp, { recursive: true, force: true }));

/** The Kerberos checks of both VSIXs (kerberosVsix.mjs); the names of those that failed. */
function kerberosChecks(bin) {
  return runKerberosVsixChecks({ bin, log, launchBrowser, universalVsix: join(ROOT, 'hive-zookeeper-explorer.vsix'), platformVsix: join(ROOT, `hive-zookeeper-explorer-${process.platform}-${process.arch === 'arm' ? 'armhf' : process.arch}.vsix`) });
}

/** --only-kerberos: package, then only the Kerberos checks (for working on them). */
async function onlyKerberos() {
  const bin = await ensureCodeServer(log);
  await runQuiet('npm', ['run', 'package']);
  const failed = await kerberosChecks(bin);
  console.log(`${2 - failed.length} passed, ${failed.length} failed`); // kerberosVsix reports at most 2
  process.exit(failed.length === 0 ? 0 : 1);
}

async function main() {
  if (args.has('--only-kerberos')) {
    return onlyKerberos();
  }
  const started = Date.now();
  mkdirSync(RESULTS, { recursive: true });
  for (const stale of readdirSync(RESULTS).filter((f) => f.endsWith('.png'))) {
    rmSync(join(RESULTS, stale));
  }
  const bin = await ensureCodeServer(log);
  // Test the bundle that ships (minified, as in the VSIX); the development bundle is rebuilt at the end.
  spawnSync('node', ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
  const [cluster, secure] = await Promise.all([startZooKeeper(), startSecureZooKeeper()]);
  const seeder = new ZkSession({ connectString: cluster.connectString });
  await seedSandbox(seeder);
  process.env.HIVEZK_TEST_ZK = cluster.connectString;
  const resultsFile = join(RESULTS, 'extension-tests.txt');
  rmSync(resultsFile, { force: true });
  const state = mkdtempSync(join(tmpdir(), 'hivezk-cs-'));
  const folder = mkdtempSync(join(tmpdir(), 'hivezk-ws-'));
  const port = await freePort();
  const server = await startCodeServer(bin, state, port, { env: { HIVEZK_PROBE_LOOPBACK_ONLY: '1', HIVEZK_TEST_ZK: cluster.connectString, HIVEZK_TEST_SECURE: JSON.stringify(secure.facts), HIVEZK_TEST_RESULTS: resultsFile }, settings: baseSettings(cluster.connectString) });
  log(`code-server ${CODE_SERVER_VERSION} on http://127.0.0.1:${port}, ZooKeeper sandbox on ${cluster.connectString}, TLS + SASL ZooKeeper on ${secure.facts.connectString}`);
  const failures = [];
  try {
    const code = await runExtensionTests(`http://127.0.0.1:${port}`, folder);
    const report = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
    process.stdout.write(report);
    log(`extension tests exit code: ${code}`);
    if (code !== 0) {
      failures.push('extension tests');
    }
    if (!args.has('--skip-ui')) {
      const ok = await runUiCheck(`http://127.0.0.1:${port}`, folder, RESULTS, seeder);
      if (!ok) {
        failures.push('ui check');
      }
    }
  } finally {
    server.kill('SIGTERM');
    await secure.stop();
  }
  if (!(await runUntrustedWorkspaceTests(bin, cluster.connectString))) {
    failures.push('untrusted-workspace tests');
  }
  if (!args.has('--skip-vsix')) {
    const vsix = join(ROOT, 'hive-zookeeper-explorer.vsix');
    // Asynchronous: the sandbox's seeding session must keep its heartbeats meanwhile.
    const packaged = await runQuiet('npm', ['run', 'package']).then(
      () => '',
      (error) => error.message,
    );
    if (packaged !== '' || !existsSync(vsix)) {
      log(`packaging failed:\n${packaged}`);
      failures.push('vsix packaging');
    } else if (!(await runVsixCheck(bin, vsix, cluster.connectString))) {
      failures.push('vsix activation');
    }
    // Each scenario fails on its own when its VSIX is missing.
    failures.push(...(await kerberosChecks(bin)));
  }
  // Back to the development bundle (with source maps) for whatever runs next.
  spawnSync('node', ['esbuild.mjs'], { cwd: ROOT });
  seeder.close();
  await cluster.stop();
  rmSync(state, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; screenshots in ${RESULTS}: ${readdirSync(RESULTS).filter((f) => f.endsWith('.png')).join(', ')}`);
  // One closing line for the whole run: the in-host tests plus the UI and VSIX checks.
  const hostCounts = /(\d+) passed, (\d+) failed/.exec(existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '');
  // The UI check, the untrusted-workspace suite, the VSIX check and the two Kerberos VSIX scenarios (platform: a, c, d; universal: b).
  const checks = (args.has('--skip-ui') ? 0 : 1) + 1 + (args.has('--skip-vsix') ? 0 : 3);
  const failedChecks = failures.filter((f) => f !== 'extension tests').length;
  const passed = Number(hostCounts?.[1] ?? 0) + checks - failedChecks;
  const failed = (hostCounts ? Number(hostCounts[2]) : 1) + failedChecks;
  if (failures.length > 0) {
    log(`FAILED: ${failures.join(', ')}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (failures.length > 0) {
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
