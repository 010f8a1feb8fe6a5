// Kerberos from the installed extension, in the real VS Code (code-server): a real MIT KDC, a
// ZooKeeper that enforces Kerberos, and a Hive namespace whose ACL is `sasl:alice@REALM` only.
//   (a) the platform VSIX (its own `kerberos`) lists that namespace with alice's ticket;
//   (b) the universal VSIX, with only VS Code's bundled module, does the same;
//   (c) no ticket → an error row saying to run kinit on the machine the extension runs on;
//   (d) bob (valid ticket, not in the ACL) → "not allowed", naming bob's principal.
// The connect string is 127.0.0.1: the principal's host is canonicalized (zookeeper/localhost) as Java's client does.
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExtension, ROOT, startCodeServer, workbenchSettings } from '../../scripts/codeServer.mjs';

const require = createRequire(import.meta.url);
const { startZooKeeper, freePort } = require(join(ROOT, 'out/test/support/zkServer.js'));
const { startKdc } = require(join(ROOT, 'out/test/support/kdc.js'));
const { registerHs2 } = require(join(ROOT, 'out/test/support/hiveSeed.js'));
const { ZkSession } = require(join(ROOT, 'out/src/core/zk/session.js'));
const { secureTransport } = require(join(ROOT, 'out/src/core/zk/auth/secureTransport.js'));

const NAMESPACE = 'hs2-krb';
const INSTANCE = 'krb-hs2.example.com:10000';
const PASSWORDS = { alice: 'alice-vsix-pw-7', bob: 'bob-vsix-pw-7' };

/** Every text file under `dir` (bounded), joined: the extension's log is somewhere in code-server's logs. */
function logText(dir) {
  const parts = [];
  const walk = (at, depth) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory() && depth < 8) {
        walk(path, depth + 1);
      } else if (entry.isFile() && entry.name.endsWith('.log') && statSync(path).size < 4_000_000) {
        parts.push(readFileSync(path, 'utf8'));
      }
    }
  };
  walk(dir, 0);
  return parts.join('\n');
}

/**
 * Runs the two scenarios; resolves with the names of those that failed (empty: both passed).
 * `launchBrowser` and `log` are the harness's.
 */
export async function runKerberosVsixChecks({ bin, log, launchBrowser, platformVsix, universalVsix }) {
  const failures = [];
  const kdc = await startKdc();
  let zk;
  let seeder;
  const saved = { KRB5_CONFIG: process.env.KRB5_CONFIG, KRB5CCNAME: process.env.KRB5CCNAME };
  try {
    kdc.addPrincipal('zookeeper/localhost');
    kdc.addPrincipal('alice', PASSWORDS.alice);
    kdc.addPrincipal('bob', PASSWORDS.bob);
    const keytab = kdc.keytab(`zookeeper/localhost@${kdc.realm}`);
    zk = await startZooKeeper({ sasl: { mechanism: 'kerberos', principal: `zookeeper/localhost@${kdc.realm}`, keytab, krb5Conf: kdc.krb5Conf } });
    // The seeder (this process) keeps its own cache: the one handed to VS Code is swapped between users.
    process.env.KRB5_CONFIG = kdc.krb5Conf;
    process.env.KRB5CCNAME = kdc.kinit('alice', PASSWORDS.alice);
    seeder = new ZkSession({ connectString: `localhost:${zk.port}`, connectTimeoutMs: 30_000, requestTimeoutMs: 30_000, transport: secureTransport({ sasl: { mechanism: 'kerberos' } }) });
    // "creatorOnly" is the auth ACL: the namespace is sasl:alice@REALM's alone.
    await seeder.create(`/${NAMESPACE}`, Buffer.alloc(0), 'persistent', 'creatorOnly');
    await registerHs2(seeder, NAMESPACE, { host: 'krb-hs2.example.com', port: 10000, variant: 'v3-kerberos', version: '4.0.1', principal: `hive/_HOST@${kdc.realm}` });
    const acl = await seeder.getAcl(`/${NAMESPACE}`);
    log(`kerberos: ZooKeeper on 127.0.0.1:${zk.port}, /${NAMESPACE} ACL ${acl.acls.map((a) => `${a.scheme}:${a.id}`).join(',')}`);

    const cacheDir = mkdtempSync(join(tmpdir(), 'hivezk-krbcc-'));
    const ccache = `FILE:${join(cacheDir, 'cc')}`;
    const kinitInto = (user) => {
      const made = kdc.kinit(user, PASSWORDS[user]);
      rmSync(join(cacheDir, 'cc'), { force: true });
      // A copy of the new cache at the path VS Code reads: the same path now holds another user's ticket.
      const bytes = readFileSync(made.slice('FILE:'.length));
      writeFileSync(join(cacheDir, 'cc'), bytes, { mode: 0o600 });
    };
    const ensemble = (name) => ({ name, connectString: `127.0.0.1:${zk.port}`, hs2Namespaces: [NAMESPACE], sasl: { mechanism: 'kerberos' } });
    const env = { KRB5_CONFIG: kdc.krb5Conf, KRB5CCNAME: ccache };

    const scenario = async (title, vsix, ensembles, body) => {
      const state = mkdtempSync(join(tmpdir(), 'hivezk-krbvs-'));
      const folder = mkdtempSync(join(tmpdir(), 'hivezk-ws-'));
      let server;
      let browser;
      try {
        await installExtension(bin, state, vsix);
        const port = await freePort();
        server = await startCodeServer(bin, state, port, { env, settings: workbenchSettings({ 'hiveZk.ensembles': ensembles.map(ensemble) }) });
        browser = await launchBrowser();
        const page = browser.context.pages()[0] ?? (await browser.context.newPage());
        await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
        await page.locator('.activitybar [aria-label^="Hive ZooKeeper"]').first().click({ timeout: 60_000 });
        const rows = page.locator('[id="workbench.parts.sidebar"] .monaco-list-row');
        const row = (text) => rows.filter({ hasText: text }).first();
        const toggle = (wanted) => async (text) => {
          const target = row(text);
          await target.waitFor({ timeout: 30_000 });
          if ((await target.getAttribute('aria-expanded')) === String(!wanted)) {
            await target.click();
          }
        };
        await body({ page, row, expand: toggle(true), collapse: toggle(false), logs: () => logText(state) });
        log(`kerberos: ${title}: passed`);
      } catch (error) {
        const page = browser?.context.pages()[0];
        const shown = page ? await page.locator('[id="workbench.parts.sidebar"] .monaco-list-row').allInnerTexts().catch(() => []) : [];
        await page?.screenshot({ path: join(ROOT, 'test-results', `kerberos-${title.slice(1, 2)}-error.png`) }).catch(() => {});
        log(`kerberos: ${title}: FAILED: ${error.message.split('\n')[0]}; rows: ${shown.map((r) => r.replace(/\n/g, ' ')).join(' ; ')}`);
        failures.push(`kerberos ${title}`);
      } finally {
        await browser?.context.close();
        if (browser) {
          rmSync(browser.profile, { recursive: true, force: true });
        }
        server?.kill('SIGTERM');
        rmSync(state, { recursive: true, force: true });
        rmSync(folder, { recursive: true, force: true });
      }
    };

    const listsTheNamespace = (ensembleName) => async ({ row, expand }) => {
      await expand(ensembleName);
      await expand('HiveServer2');
      await expand(NAMESPACE);
      await row(INSTANCE).waitFor({ timeout: 30_000 });
    };

    kinitInto('alice');
    await scenario('(a) platform VSIX, alice\'s ticket, own module', platformVsix, ['krb-alice', 'krb-bob', 'krb-noticket'], async (ui) => {
      await listsTheNamespace('krb-alice')(ui);
      if (!/Kerberos: using the extension's own/.test(ui.logs())) {
        throw new Error('the log does not say the extension\'s own Kerberos module was used');
      }
      // (d) bob: a valid ticket, not in the ACL. A new ensemble is a new session, so a new handshake with the cache as it is now.
      kinitInto('bob');
      await ui.collapse('krb-alice');
      await ui.expand('krb-bob');
      await ui.expand('HiveServer2');
      await ui.expand(NAMESPACE);
      const refused = ui.row(/not allowed/i);
      await refused.waitFor({ timeout: 30_000 });
      const text = await refused.innerText();
      if (!text.includes(`bob@${kdc.realm}`)) {
        throw new Error(`(d) the refusal does not name bob's principal: ${text}`);
      }
      log(`kerberos: (d) bob: ${text.replace(/\n/g, ' ')}`);
      // (c) no ticket at all.
      rmSync(join(cacheDir, 'cc'), { force: true });
      await ui.collapse('krb-bob');
      await ui.expand('krb-noticket');
      const noTicket = ui.row(/kinit/);
      await noTicket.waitFor({ timeout: 30_000 });
      const words = await noTicket.innerText();
      if (!/machine/i.test(words)) {
        throw new Error(`(c) the no-ticket row does not say whose ticket cache: ${words}`);
      }
      log(`kerberos: (c) no ticket: ${words.replace(/\n/g, ' ')}`);
    });

    kinitInto('alice');
    await scenario('(b) universal VSIX, alice\'s ticket, VS Code\'s module', universalVsix, ['krb-alice'], async (ui) => {
      await listsTheNamespace('krb-alice')(ui);
      if (!/Kerberos: using VS Code's bundled module/.test(ui.logs())) {
        throw new Error('the log does not say VS Code\'s bundled Kerberos module was used');
      }
    });
    rmSync(cacheDir, { recursive: true, force: true });
  } catch (error) {
    log(`kerberos: set-up failed: ${error.stack ?? error}`);
    failures.push('kerberos set-up (platform VSIX)', 'kerberos set-up (universal VSIX)');
  } finally {
    seeder?.close();
    await zk?.stop();
    await kdc.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  }
  // A set-up failure after a failed scenario names both: two scenarios, at most two failures.
  return failures.slice(0, 2);
}
