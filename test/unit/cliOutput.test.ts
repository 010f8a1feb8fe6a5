// hive-zk's terminal output and its JSON: tables fit any width without cutting words, views show
// what the issue asks (blocker on its row, times as clock time and age, counts of what is left
// out), JSON is what the per-string escaping gives, and usage mistakes get the nearest word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { safeJson } from '../../src/core/untrusted';
import { healthExitCode } from '../../src/cli/exitCodes';
import { renderTable } from '../../src/cli/format/table';
import { terminalOf, type Terminal } from '../../src/cli/format/terminal';
import { displayWidth, formatWhen, wrap } from '../../src/cli/format/text';
import { jsonText } from '../../src/cli/json';
import { runCli } from '../../src/cli/main';
import { nearest } from '../../src/cli/suggest';
import { completionScript } from '../../src/cli/completion';
import { VIEWS } from '../../src/cli/views';

process.env.TZ = 'UTC';
const NOW = Date.UTC(2026, 11, 7, 13, 20, 0);
const term = (width: number, extra: Partial<Terminal> = {}): Terminal => ({ tty: true, width, color: false, now: NOW, maxRows: 50, ...extra });
const ESC = '\u001b';
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

const lock = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  path: `/hive_zookeeper_namespace/sales/orders/ds=2026-11-24/LOCK-SHARED-${String(n).padStart(10, '0')}`,
  object: 'sales.orders (ds=2026-11-24)',
  mode: 'SHARED',
  sequence: String(n).padStart(10, '0'),
  status: 'granted',
  blockedBy: null,
  queryId: `hive_20261125093000_q${n}`,
  lockTime: NOW - 18 * 60_000,
  lockMode: 'IMPLICIT',
  query: 'INSERT OVERWRITE TABLE sales.orders PARTITION (ds=\'2026-11-24\') SELECT * FROM staging.orders_raw',
  client: '10.20.0.31',
  ephemeral: true,
  owner: { session: '0x100', client: '10.20.0.31' },
  unlock: 'UNLOCK TABLE `sales`.`orders`;',
  ...extra,
});

/** Every line's width, without escape codes. */
const widths = (text: string): number[] => text.replace(/\u001b\[\d+m/g, '').split('\n').map(displayWidth);

test('wrap: lines within the width, words whole; a long path breaks after "/" and "."', () => {
  assert.deepEqual(wrap('waiting for exclusive #0000000002', 12), ['waiting for', 'exclusive', '#0000000002']);
  const path = '/hive_zookeeper_namespace/sales/orders/ds=2026-11-24';
  const lines = wrap(path, 20);
  assert.equal(lines.join(''), path);
  assert.ok(lines.every((l) => displayWidth(l) <= 20));
  assert.ok(lines.every((l) => /[/=_-]$/.test(l) || l === lines.at(-1)), lines.join('|'));
  assert.equal(displayWidth('表格'), 4);
  assert.deepEqual(wrap('表格表格', 4), ['表格', '表格']);
});

test('formatWhen: local clock time and age; the date when older than 20 h; skew ahead as "in"', () => {
  assert.equal(formatWhen(NOW - 18 * 60_000, NOW), '13:02 · 18m');
  assert.equal(formatWhen(NOW - 3 * 86_400_000, NOW), '2026-12-04 13:20 · 3d');
  assert.equal(formatWhen(NOW + 120_000, NOW), '13:22 · in 2m');
  assert.equal(formatWhen(NOW + 10, NOW), '13:20 · 0s');
});

test('renderTable at widths 20, 80 and 500: every line fits, no word cut, records when columns cannot fit', () => {
  const columns = [{ header: 'OBJECT' }, { header: 'MODE', keep: true }, { header: 'QUERY' }];
  const rows = [['sales.orders (ds=2026-11-24)', 'exclusive', 'INSERT OVERWRITE TABLE sales.orders SELECT * FROM staging.orders_raw']];
  for (const width of [20, 40, 80, 500]) {
    const out = renderTable(columns, rows, term(width));
    assert.ok(widths(out).every((w) => w <= width), `width ${width}:\n${out}`);
    for (const word of ['INSERT', 'OVERWRITE', 'staging.orders_raw', 'exclusive']) {
      assert.ok(out.split(/\s+/).some((token) => token.includes(word)), `${word} whole at ${width}:\n${out}`);
    }
  }
  assert.equal(renderTable(columns, rows, term(500)).split('\n').length, 3, 'one header and one row at 500');
  assert.match(renderTable(columns, rows, term(20)), /^sales\.orders/, 'a record per row at 20');
});

test('a cell of hostile size is laid out in bounded time and shown cut, with a pointer to --json', () => {
  const huge = 'x'.repeat(1_000_000);
  const out = renderTable([{ header: 'SERVER' }, { header: 'STATE' }], [[huge, 'ok']], term(30));
  assert.ok(out.length < 10_000, String(out.length));
  assert.match(out.replace(/\s+/g, ''), /…\(998,000morecharacters;use--json\)/);
});

test('no escape codes without colour (NO_COLOR, a pipe); colour only on a terminal', () => {
  const out = VIEWS.locks?.({ root: '/x', visited: 1, unreadable: [], locks: [lock(0)] }, term(100)) ?? '';
  assert.ok(!out.includes(ESC));
  assert.ok((VIEWS.locks?.({ root: '/x', visited: 1, unreadable: [], locks: [lock(0)] }, term(100, { color: true })) ?? '').includes(ESC));
  assert.equal(terminalOf({ isTTY: true, columns: 90 }, { NO_COLOR: '1' }).color, false);
  assert.equal(terminalOf({ isTTY: true, columns: 90 }, {}).color, true);
  assert.equal(terminalOf({ isTTY: false }, {}).color, false);
  assert.equal(terminalOf({ isTTY: true }, {}).width, 80);
});

test('locks view: mode and state in words, the blocker on the waiting lock\'s row, time and age', () => {
  const waiting = lock(2, { mode: 'EXCLUSIVE', status: 'waiting', blockedBy: 'LOCK-SHARED-0000000000', sequence: '0000000002' });
  const out = VIEWS.locks?.({ root: '/hive_zookeeper_namespace', visited: 2, unreadable: [], locks: [lock(0), waiting] }, term(160)) ?? '';
  const rows = out.split('\n');
  const row = rows.find((l) => l.includes('0000000002')) ?? '';
  assert.match(row, /exclusive\s+waiting for shared #0000000000\s+13:02 · 18m/);
  assert.match(rows.find((l) => l.includes('0000000000') && !l.includes('waiting')) ?? '', /shared\s+holding/);
  assert.match(out, /^2 locks under \/hive_zookeeper_namespace, 1 waiting/);
});

test('a listing longer than the terminal page ends with the count of the rest', () => {
  const locks = Array.from({ length: 10_000 }, (_, n) => lock(n));
  const out = VIEWS.locks?.({ root: '/r', visited: 10_000, unreadable: [], locks }, term(120)) ?? '';
  assert.match(out, /… 9,950 more; use --json\n$/);
  assert.ok(out.split('\n').length < 60);
});

test('doctor on a terminal: a report of 10k endpoints ends with the count of the rest; it reads at width 20 and 500', () => {
  const endpoint = (n: number, status: string): Record<string, unknown> => ({ namespace: 'hiveserver2', znode: `/hiveserver2/serverUri=hs2-${n}.example.com:10000;version=3.1.3;sequence=${n}`, kind: 'hs2', host: `hs2-${n}.example.com`, port: 10000, transport: 'binary', ssl: n % 2 === 0, probe: { status, ms: 12, detail: status === 'answering' ? 'TLS handshake done' : 'connect ECONNREFUSED' } });
  const endpoints = Array.from({ length: 10_000 }, (_, n) => endpoint(n, n < 3 ? 'refused' : 'answering'));
  const findings = endpoints.slice(0, 3).map((e) => ({ severity: 'error', code: 'ENDPOINT_REFUSED', message: `${str(e.host)}:10000 (hs2, binary) is refused: connect ECONNREFUSED`, znode: e.znode }));
  const report = { endpoints, findings, steps: [{ step: 'parse', ok: true, detail: 'zooKeeper discovery, namespace hiveserver2' }] };
  const out = VIEWS.doctor?.(report, term(120)) ?? '';
  assert.match(out, /… 9,950 more; use --json\n/);
  assert.ok(out.split('\n').length < 80, String(out.split('\n').length));
  assert.match(out, /refused\s+hs2-0\.example\.com:10000\s+hiveserver2\s+hs2\/binary \+ SSL\s+12 ms\s+connect ECONNREFUSED/);
  assert.match(out, /error\s+ENDPOINT_REFUSED/);
  assert.match(out, /9,997 of 10,000 endpoints answer; 3 errors, 0 warnings, 0 notes\n$/);
  for (const width of [20, 500]) {
    const small = VIEWS.doctor?.({ ...report, endpoints: endpoints.slice(0, 2), findings: findings.slice(0, 1) }, term(width)) ?? '';
    assert.ok(widths(small).every((w) => w <= Math.max(width, 44)), `doctor at ${width}:\n${small}`);
    assert.ok(small.includes('ENDPOINT_REFUSED'));
  }
});

test('instances, namespaces, health and resolve views read at width 20 and 500', () => {
  const outputs: [string, Record<string, unknown>][] = [
    ['instances', { namespace: 'hiveserver2', path: '/hiveserver2', otherChildren: ['leader'], instances: [{ znode: 'serverUri=hs2-a.example.com:10000;version=4.0.1;sequence=0000000001', host: 'hs2-a.example.com', port: 10000, version: '4.0.1', transportMode: 'binary', ssl: true, authentication: 'KERBEROS', ctime: NOW - 3600_000, problems: [], owner: { session: '0x1', client: '10.0.0.5' } }] }],
    ['namespaces', { namespaces: [{ name: 'hiveserver2', kind: 'hs2', childCount: 3 }, { name: 'hive_zookeeper_namespace', kind: 'locks', childCount: 12 }] }],
    ['health', { connectString: '127.0.0.1:2181', checkedAt: new Date(NOW).toISOString(), servers: [{ server: '127.0.0.1:2181', reachable: true, mode: 'leader', version: '3.8.4-abc', connectionCount: 4, latency: { min: 0, avg: 0.5, max: 12 }, znodeCount: 1200, problems: [] }, { server: '127.0.0.2:2181', reachable: false, problems: ['connection refused'] }], clients: [], hints: ['whitelist cons'], registry: { hiveServer2: [], locks: null, lockOwners: [], hiveServer2Hosts: [] } }],
    ['resolve', { mode: 'zooKeeper', namespace: 'hiveserver2', ensemble: 'zk1:2181', candidates: [{ znode: 'a', host: 'hs2-a.example.com', port: 10000, usable: true, fromZnode: {}, overriddenByUrl: {} }], chosen: { znode: 'a', host: 'hs2-a.example.com', port: 10000, usable: true, url: 'jdbc:hive2://hs2-a.example.com:10000/default' }, roundTrips: 2, driver: '4.1+', notes: [] }],
  ];
  for (const [command, output] of outputs) {
    for (const width of [20, 500]) {
      const out = VIEWS[command]?.(output, term(width)) ?? '';
      assert.ok(out.length > 0);
      assert.ok(!out.trimStart().startsWith('{'), `${command} is not JSON`);
      // Only a token longer than the whole line (none here beyond the URL) may pass the width.
      assert.ok(widths(out).every((w) => w <= Math.max(width, 44)), `${command} at ${width}:\n${out}`);
    }
  }
  const health = VIEWS.health?.(outputs[2]?.[1] ?? {}, term(120)) ?? '';
  assert.match(health, /1 of 2 servers/);
  assert.match(health, /127\.0\.0\.2:2181\s+unreachable/);
  assert.match(VIEWS.instances?.(outputs[0]?.[1] ?? {}, term(160)) ?? '', /hs2-a\.example\.com:10000\s+4\.0\.1\s+binary \+ TLS\s+KERBEROS\s+12:20 · 1h\s+10\.0\.0\.5\s+ok/);
});

test('jsonText is byte for byte the escaped JSON (keys and values), fast path or not', () => {
  const slow = (value: unknown): string => safeJson(value, 2);
  const samples = ['plain', 'tab\there', 'new\nline', 'back\\slash', 'bidi\u202Eevil', 'nbsp\u00A0', 'ünïcode', '表', '\ud800 lone', 'quote"s', 'del\u007f', 'c1\u0085', 'ls\u2028'];
  for (const text of samples) {
    const value = { a: text, list: [text, 1, null, true], nested: { [text]: text } };
    assert.equal(jsonText(value), slow(value), JSON.stringify(text));
  }
  // A key is escaped as a value is (a LLAP attribute name with a bidi override).
  assert.deepEqual(Object.keys(JSON.parse(jsonText({ ['num\u202Eevil']: 1 })) as object), ['num\\u{202E}evil']);
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 300; i += 1) {
    const text = Array.from({ length: 8 }, () => String.fromCharCode(random() < 0.7 ? 32 + Math.floor(random() * 95) : Math.floor(random() * 0x10000))).join('');
    assert.equal(jsonText({ text }), slow({ text }));
  }
});

test('health exit codes: 0 serving, 3 a server down or out of quorum or the registry unread, 4 none answered', () => {
  const up = { reachable: true, mode: 'follower' };
  assert.equal(healthExitCode({ servers: [up, { reachable: true, mode: 'leader' }], registry: {} }), 0);
  assert.equal(healthExitCode({ servers: [up, { reachable: false }], registry: {} }), 3);
  assert.equal(healthExitCode({ servers: [up, { reachable: true, mode: 'not serving' }], registry: {} }), 3);
  assert.equal(healthExitCode({ servers: [up, { reachable: true, mode: 'read-only' }], registry: {} }), 3);
  assert.equal(healthExitCode({ servers: [up], registry: { error: { code: 'ZK_NO_AUTH' } } }), 3);
  assert.equal(healthExitCode({ servers: [{ reachable: false }, { reachable: false }], registry: { error: {} } }), 4);
  assert.equal(healthExitCode({ servers: [up, { reachable: true }], registry: {} }), 0, 'a mode not learnt is not held against it');
});

test('usage: nearest command and option, help per command, JSON errors when piped', async () => {
  assert.equal(nearest('lock', ['locks', 'health', 'instances']), 'locks');
  assert.equal(nearest('instnaces', ['locks', 'health', 'instances']), 'instances');
  assert.equal(nearest('--namepsace', ['--namespace', '--zk']), '--namespace');
  assert.equal(nearest('frobnicate', ['locks', 'health']), undefined);
  const piped = await runCli(['lock', '--zk', '127.0.0.1:1'], term(80, { tty: false }));
  assert.equal(piped.code, 2);
  assert.deepEqual(JSON.parse(piped.stdout), { error: { code: 'BAD_ARGUMENT', message: 'Unknown command "lock". Did you mean locks? (see hive-zk --help)' } });
  const onTerminal = await runCli(['instances', '--namepsace', 'x'], term(100));
  assert.equal(onTerminal.stdout, '');
  assert.match(onTerminal.stderr, /Did you mean --namespace\?/);
  for (const argv of [['help', 'locks'], ['locks', '--help']]) {
    const help = await runCli(argv, term(80));
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^hive-zk locks --zk/);
    assert.match(help.stdout, /--db d/);
    assert.match(help.stdout, /Exit codes:\n {2}0/);
  }
  assert.match((await runCli(['--help'], term(80))).stdout, /4 {2}health only/);
  assert.equal((await runCli(['help', 'lokcs'], term(80, { tty: false }))).code, 2);
});

test('beeline on a terminal prints the bare command line; --json and a pipe print the JSON', async () => {
  const argv = ['beeline', 'jdbc:hive2://hs2.example.com:10000/default', '--user', 'alice', '--password-prompt'];
  const bare = await runCli(argv, term(80));
  assert.equal(bare.stdout, 'beeline -u jdbc:hive2://hs2.example.com:10000/default -n alice -p\n');
  const json = JSON.parse((await runCli([...argv, '--json'], term(80))).stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ['url', 'shell', 'argv', 'command']);
  assert.equal((await runCli(argv, term(80, { tty: false }))).stdout, `${JSON.stringify(json, null, 2)}\n`);
  // A command without a view prints JSON on a terminal too.
  assert.equal((JSON.parse((await runCli(['parse-url', 'jdbc:hive2://h/'], term(80))).stdout) as { port: number }).port, 10000);
});

test('completion: bash completes commands, a command\'s options and --shell values', () => {
  const script = completionScript('bash');
  const complete = (line: string): string[] => {
    const words = line.split(' ');
    const out = execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _hive_zk; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    return out.split('\n').filter((l) => l !== '');
  };
  assert.deepEqual(complete('hive-zk loc'), ['locks']);
  assert.deepEqual(complete('hive-zk locks --ta'), ['--table']);
  assert.deepEqual(complete('hive-zk beeline --shell p'), ['posix', 'pwsh']);
  assert.deepEqual(complete('hive-zk help hea'), ['health']);
  assert.match(completionScript('zsh'), /bashcompinit/);
  assert.throws(() => completionScript('fish'), /bash/);
});
