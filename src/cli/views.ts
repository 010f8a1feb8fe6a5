// hive-zk's terminal views: what instances, locks, namespaces, health, resolve, doctor and beeline print
// for a person (tables, times as clock time and age, states in words). Each reads the command's
// JSON output, so the JSON scripts get is never shaped by the view.

import { escapeInvisible } from '../core/untrusted';
import { renderFields, renderListing, renderSection, renderTable, type Cell, type Column } from './format/table';
import type { Terminal } from './format/terminal';
import { formatCount, formatWhen } from './format/text';

type Json = Record<string, unknown>;
type View = (output: Json, terminal: Terminal) => string;

const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null) : []);
const obj = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const when = (value: unknown, terminal: Terminal): string => {
  const ms = num(value);
  return ms === undefined ? '' : formatWhen(ms, terminal.now);
};
const plural = (count: number, one: string, many = `${one}s`): string => `${formatCount(count)} ${count === 1 ? one : many}`;
const hostPort = (host: unknown, port: unknown): string => (str(host) === '' ? '' : port === undefined || port === null ? str(host) : `${str(host)}:${str(port)}`);

/** The client address holding a session, else the session id: who an owner is, in one cell. */
function ownerCell(owner: unknown): string {
  const o = obj(owner);
  return o ? str(o.client) || str(o.session) : '';
}

function problemsCell(problems: unknown): Cell {
  const text = (Array.isArray(problems) ? problems.map(str) : [str(problems)]).filter((p) => p !== '').join('; ');
  return text === '' ? { text: 'ok', tone: 'green' } : { text, tone: 'red' };
}

// ---- instances

function hs2Instances(output: Json, terminal: Terminal): string {
  const instances = list(output.instances);
  const ha = instances.some((i) => typeof i.isLeader === 'boolean');
  const columns: Column[] = [
    { header: 'SERVER' },
    { header: 'VERSION', keep: true },
    { header: 'TRANSPORT' },
    { header: 'AUTH' },
    ...(ha ? [{ header: 'ROLE', keep: true }] : []),
    { header: 'REGISTERED', keep: true },
    { header: 'OWNER' },
    { header: 'STATE' },
  ];
  const rows = instances.map((i): Cell[] => [
    hostPort(i.host, i.port) || str(i.znode),
    str(i.version),
    [str(i.transportMode), i.ssl === true ? 'TLS' : ''].filter((t) => t !== '').join(' + '),
    str(i.authentication),
    ...(ha ? [i.isLeader === true ? { text: 'active', tone: 'green' as const } : 'passive'] : []),
    when(i.ctime, terminal),
    ownerCell(i.owner),
    problemsCell([...(Array.isArray(i.problems) ? (i.problems as unknown[]) : []), i.endpointProblem]),
  ]);
  const others = Array.isArray(output.otherChildren) && output.otherChildren.length > 0 ? `; also ${output.otherChildren.map(str).join(', ')}` : '';
  const title = `${plural(instances.length, 'HiveServer2 instance')} under ${str(output.path) || str(output.namespace)}${others}`;
  return renderSection(title, instances.length > 0 ? renderListing(columns, rows, terminal) : '', terminal);
}

function llapDaemons(output: Json, terminal: Terminal): string {
  const daemons = list(output.daemons);
  const columns: Column[] = [{ header: 'HOST' }, { header: 'RPC', keep: true }, { header: 'EXECUTORS', align: 'right', keep: true }, { header: 'MEMORY', align: 'right', keep: true }, { header: 'SLOT', align: 'right', keep: true }, { header: 'REGISTERED', keep: true }, { header: 'STATE' }];
  const rows = daemons.map((d): Cell[] => [
    str(d.host) || str(d.znode),
    str(d.rpcPort),
    str(d.executors),
    num(d.memoryMb) === undefined ? '' : `${formatCount(num(d.memoryMb) ?? 0)} MB`,
    d.slot === undefined ? { text: 'none', tone: 'yellow' } : str(d.slot),
    when(d.ctime, terminal),
    problemsCell(d.problems),
  ]);
  const orphans = Array.isArray(output.orphanSlots) && output.orphanSlots.length > 0 ? `; slots without a daemon: ${output.orphanSlots.map(str).join(', ')}` : '';
  return renderSection(`${plural(daemons.length, 'LLAP daemon')} under ${str(output.namespace)}${orphans}`, daemons.length > 0 ? renderListing(columns, rows, terminal) : '', terminal);
}

function metastores(output: Json, terminal: Terminal): string {
  const found = list(output.metastores);
  return renderSection(`${plural(found.length, 'metastore')} under ${str(output.namespace)}`, found.length > 0 ? renderListing([{ header: 'URI' }], found.map((m) => [str(m.uri)]), terminal) : '', terminal);
}

function kyuubiEngines(output: Json, terminal: Terminal): string {
  const engines = list(output.engines);
  const columns: Column[] = [{ header: 'ENGINE' }, { header: 'SHARE LEVEL' }, { header: 'USER' }, { header: 'SERVER' }, { header: 'VERSION', keep: true }];
  const rows = engines.map((e): Cell[] => {
    const instance = obj(e.instance) ?? {};
    return [str(e.engineType), str(e.shareLevel), [str(e.user), str(e.subdomain)].filter((t) => t !== '').join(' / '), hostPort(instance.host, instance.port) || str(instance.znode), str(e.kyuubiVersion)];
  });
  return renderSection(`${plural(engines.length, 'Kyuubi engine')} under ${str(output.namespace)}`, engines.length > 0 ? renderListing(columns, rows, terminal) : '', terminal);
}

const instancesView: View = (output, terminal) =>
  Array.isArray(output.daemons) ? llapDaemons(output, terminal) : Array.isArray(output.engines) ? kyuubiEngines(output, terminal) : Array.isArray(output.metastores) ? metastores(output, terminal) : hs2Instances(output, terminal);

// ---- locks

const LOCK_NAME = /^LOCK-(SHARED|EXCLUSIVE|SEMI_SHARED)-(\d+)$/;

/** SHARED → "shared", SEMI_SHARED → "semi-shared". */
const modeWords = (mode: string): string => mode.toLowerCase().replace('_', '-');

/** A lock's state in words, with its blocker named on the same row: "waiting for exclusive #0000000002". */
function lockState(lock: Json): Cell {
  const status = str(lock.status);
  if (status === 'waiting') {
    const blocker = str(lock.blockedBy);
    const named = LOCK_NAME.exec(blocker);
    return { text: `waiting for ${named ? `${modeWords(named[1] ?? '')} #${named[2] ?? ''}` : blocker || 'an earlier lock'}`, tone: 'yellow' };
  }
  // An explicit lock (LOCK TABLE) stays until UNLOCK, whoever took it: worth saying beside "holding".
  return status === 'granted' ? { text: str(lock.lockMode) === 'EXPLICIT' ? 'holding (LOCK TABLE)' : 'holding', tone: 'green' } : { text: status, tone: 'red' };
}

const locksView: View = (output, terminal) => {
  const locks = list(output.locks);
  const columns: Column[] = [
    { header: 'OBJECT' },
    { header: '#', keep: true },
    { header: 'MODE' },
    { header: 'STATE' },
    { header: 'SINCE', keep: true },
    { header: 'QUERY ID' },
    { header: 'CLIENT' },
  ];
  const rows = locks.map((lock): Cell[] => [
    str(lock.object),
    str(lock.sequence),
    modeWords(str(lock.mode)),
    lockState(lock),
    when(lock.lockTime, terminal),
    str(lock.queryId),
    str(lock.client) || ownerCell(lock.owner),
  ]);
  const waiting = locks.filter((l) => l.status === 'waiting').length;
  const unreadable = Array.isArray(output.unreadable) ? output.unreadable.length : 0;
  const title = `${plural(locks.length, 'lock')} under ${str(output.root)}${waiting > 0 ? `, ${formatCount(waiting)} waiting` : ''}${unreadable > 0 ? `; ${plural(unreadable, 'znode')} could not be read` : ''}`;
  return renderSection(title, locks.length > 0 ? renderListing(columns, rows, terminal) : '', terminal);
};

// ---- namespaces

const KIND_WORDS: Record<string, string> = {
  hs2: 'HiveServer2',
  'hs2-ha': 'HiveServer2 active/passive HA',
  metastore: 'metastores',
  locks: 'Hive locks',
  llap: 'LLAP daemons',
  kyuubi: 'Kyuubi servers',
  'kyuubi-engine': 'Kyuubi engines',
  other: 'other',
};

const namespacesView: View = (output, terminal) => {
  const found = list(output.namespaces);
  const rows = found.map((n): Cell[] => [str(n.name), KIND_WORDS[str(n.kind)] ?? str(n.kind), formatCount(num(n.childCount) ?? 0)]);
  return renderListing([{ header: 'NAMESPACE' }, { header: 'HOLDS' }, { header: 'CHILDREN', align: 'right', keep: true }], rows, terminal);
};

// ---- health

/** A latency as the server reports it, to a tenth of a millisecond. */
const milliseconds = (value: unknown): string => {
  const ms = num(value);
  return ms === undefined ? '' : Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
};

/** A server's state in words: its role, or why it is not serving. */
function serverState(server: Json): Cell {
  if (server.reachable !== true) {
    return { text: 'unreachable', tone: 'red' };
  }
  const mode = str(server.mode);
  if (mode === '') {
    return { text: 'unknown', tone: 'yellow' };
  }
  return mode === 'not serving' ? { text: 'not serving (out of quorum)', tone: 'red' } : mode === 'read-only' ? { text: 'read-only (out of quorum)', tone: 'red' } : { text: mode, tone: 'green' };
}

const healthView: View = (output, terminal) => {
  const servers = list(output.servers);
  const parts: string[] = [];
  const serving = servers.filter((s) => s.reachable === true && ['leader', 'follower', 'observer', 'standalone'].includes(str(s.mode))).length;
  parts.push(renderFields([['ensemble', str(output.connectString)], ['checked', when(Date.parse(str(output.checkedAt)), terminal)], ['serving', { text: `${serving} of ${servers.length} servers`, tone: serving === servers.length ? 'green' : 'red' }]], terminal));
  const serverRows = servers.map((s): Cell[] => {
    const latency = obj(s.latency);
    return [
      str(s.server),
      serverState(s),
      str(s.version).split(/[-\s,]/)[0] ?? '',
      s.connectionCount === undefined ? '' : `${str(s.connectionCount)}${num(s.maxClientCnxns) ? ` (max ${str(s.maxClientCnxns)} each)` : ''}`,
      latency ? `${milliseconds(latency.avg)} / ${milliseconds(latency.max)}` : '',
      s.znodeCount === undefined ? '' : formatCount(num(s.znodeCount) ?? 0),
      Array.isArray(s.problems) ? s.problems.map(str).join('; ') : '',
    ];
  });
  const serverColumns: Column[] = [{ header: 'SERVER' }, { header: 'STATE' }, { header: 'VERSION', keep: true }, { header: 'CONNECTIONS' }, { header: 'LATENCY ms avg / max' }, { header: 'ZNODES', align: 'right', keep: true }, { header: 'NOTES' }];
  parts.push(renderSection('Servers', renderTable(serverColumns, serverRows, terminal), terminal));
  const clients = list(output.clients);
  if (clients.length > 0) {
    const rows = clients.map((c): Cell[] => [
      { text: str(c.address), tone: c.warn === true ? 'yellow' : undefined },
      formatCount(num(c.total) ?? 0),
      list(c.perServer).map((p) => `${str(p.server)} ${str(p.count)}${num(p.limit) ? `/${str(p.limit)}` : ''}`).join(', '),
      plural(Array.isArray(c.sessions) ? c.sessions.length : 0, 'session'),
    ]);
    parts.push(renderSection('Connections by client', renderListing([{ header: 'CLIENT' }, { header: 'TOTAL', align: 'right', keep: true }, { header: 'PER SERVER' }, { header: 'SESSIONS', keep: true }], rows, terminal), terminal));
  }
  const registry = obj(output.registry);
  const failure = registry ? obj(registry.error) : undefined;
  if (failure) {
    parts.push(renderSection('Registrations and locks', renderFields([['error', { text: `${str(failure.message)} (${str(failure.code)})`, tone: 'red' }]], terminal), terminal));
  } else if (registry) {
    const lockSummary = obj(registry.locks);
    const fields: [string, Cell][] = [
      ['HiveServer2', plural(list(registry.hiveServer2).length, 'instance')],
      ['locks', lockSummary ? `${plural(num(lockSummary.count) ?? 0, 'lock')} under ${str(lockSummary.root)}${num(lockSummary.persistent) ? `, ${formatCount(num(lockSummary.persistent) ?? 0)} persistent (LOCK TABLE)` : ''}` : 'no lock namespace'],
    ];
    let body = renderFields(fields, terminal);
    const owners = list(registry.lockOwners);
    if (owners.length > 0) {
      const rows = owners.map((o): Cell[] => [str(o.client) || str(o.session), formatCount(num(o.count) ?? 0), when(o.oldest, terminal), o.onHiveServer2Host === true ? 'yes' : o.onHiveServer2Host === false ? 'no' : '', o.problem ? { text: str(o.problem), tone: 'red' } : '']);
      body += renderListing([{ header: 'LOCK OWNER' }, { header: 'LOCKS', align: 'right', keep: true }, { header: 'OLDEST', keep: true }, { header: 'ON HS2 HOST', keep: true }, { header: 'PROBLEM' }], rows, terminal);
    }
    parts.push(renderSection('Registrations and locks', body, terminal));
  }
  const hints = Array.isArray(output.hints) ? output.hints.map(str).filter((h) => h !== '') : [];
  if (hints.length > 0) {
    parts.push(renderSection('To see everything', renderFields(hints.map((h) => ['-', h] as const), terminal), terminal));
  }
  return parts.join('\n');
};

// ---- resolve

const resolveView: View = (output, terminal) => {
  const chosen = obj(output.chosen);
  const parts = [
    renderFields(
      [
        ['mode', str(output.mode)],
        ['namespace', str(output.namespace)],
        ['ensemble', str(output.ensemble)],
        ['driver', str(output.driver) === '' ? '' : `Hive ${str(output.driver)}`],
        ['chosen', chosen ? { text: hostPort(chosen.host, chosen.port) || str(chosen.znode), tone: chosen.usable === false ? 'red' : 'green' } : { text: 'none', tone: 'red' }],
        ['url', chosen ? str(chosen.url) : ''],
        ['round trips', str(output.roundTrips)],
      ],
      terminal,
    ),
  ];
  const candidates = list(output.candidates);
  if (candidates.length > 0) {
    const leaders = candidates.some((c) => typeof c.isLeader === 'boolean');
    const rows = candidates.map((c): Cell[] => [
      hostPort(c.host, c.port) || str(c.znode),
      str(c.version),
      ...(leaders ? [c.isLeader === true ? 'active' : 'passive'] : []),
      c.usable === true ? { text: chosen && c.znode === chosen.znode ? 'usable, chosen' : 'usable', tone: 'green' } : { text: str(c.problem) || 'unusable', tone: 'red' },
    ]);
    parts.push(renderSection('Candidates', renderListing([{ header: 'SERVER' }, { header: 'VERSION', keep: true }, ...(leaders ? [{ header: 'ROLE', keep: true }] : []), { header: 'STATE' }], rows, terminal), terminal));
  }
  const notes = list(output.notes);
  if (notes.length > 0) {
    parts.push(renderSection('What the driver will do', renderFields(notes.map((n) => ['-', str(n.message)] as const), terminal), terminal));
  }
  const versions = obj(output.versions);
  if (versions && Array.isArray(versions.differences)) {
    const differences = versions.differences.map(str);
    parts.push(renderSection('Driver versions', differences.length > 0 ? renderFields(differences.map((d) => ['-', d] as const), terminal) : 'Every driver version reads this URL the same way.\n', terminal));
  }
  return parts.join('\n');
};

/** beeline: the command line itself, ready to paste or to run with $( … ). */
const beelineView: View = (output) => `${escapeInvisible(str(output.command))}\n`;

/** The commands that print a view on a terminal; the others print JSON there too. */
// ---- doctor

const severityCell = (severity: unknown): Cell => ({ text: str(severity), tone: severity === 'error' ? 'red' : severity === 'warning' ? 'yellow' : undefined });

/** The doctor's report: the URL's steps, each endpoint's probe, the findings (listings end with a count, as every listing does). */
function doctorView(output: Json, terminal: Terminal): string {
  const parts: string[] = [];
  const steps = list(output.steps);
  if (steps.length > 0) {
    const rows = steps.map((s): Cell[] => [str(s.step), s.ok === true ? { text: 'ok', tone: 'green' } : { text: 'FAIL', tone: 'red' }, str(s.detail)]);
    parts.push(renderSection('Steps', renderTable([{ header: 'STEP', keep: true }, { header: '', keep: true }, { header: 'DETAIL' }], rows, terminal), terminal));
  }
  const endpoints = list(output.endpoints);
  const endpointRows = endpoints.map((e): Cell[] => {
    const probe = obj(e.probe) ?? {};
    const status = str(probe.status);
    return [
      { text: status, tone: status === 'answering' ? 'green' : status === 'skipped' ? 'yellow' : 'red' },
      `${str(e.host) || '?'}:${str(e.port) || '?'}`,
      str(e.namespace) || '(direct URL)',
      `${str(e.kind)}/${str(e.transport)}${e.ssl === true ? ' + SSL' : ''}`,
      num(probe.ms) === undefined ? '' : `${str(probe.ms)} ms`,
      str(probe.detail),
    ];
  });
  const endpointColumns: Column[] = [{ header: 'STATUS', keep: true }, { header: 'ENDPOINT' }, { header: 'NAMESPACE' }, { header: 'KIND' }, { header: 'TIME', align: 'right', keep: true }, { header: 'DETAIL' }];
  parts.push(renderSection('Endpoints', endpoints.length > 0 ? renderListing(endpointColumns, endpointRows, terminal) : 'none registered\n', terminal));
  const findings = list(output.findings);
  const findingRows = findings.map((f): Cell[] => [severityCell(f.severity), str(f.code), str(f.message), str(f.znode)]);
  parts.push(renderSection('Findings', findings.length > 0 ? renderListing([{ header: 'SEVERITY', keep: true }, { header: 'CODE' }, { header: 'MESSAGE' }, { header: 'ZNODE' }], findingRows, terminal) : 'none\n', terminal));
  const count = (severity: string): number => findings.filter((f) => f.severity === severity).length;
  const answering = endpoints.filter((e) => obj(e.probe)?.status === 'answering').length;
  parts.push(renderFields([['summary', { text: `${formatCount(answering)} of ${plural(endpoints.length, 'endpoint')} answer; ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'note')}`, tone: count('error') > 0 ? 'red' : undefined }]], terminal));
  return parts.join('\n');
}

export const VIEWS: Readonly<Record<string, View>> = {
  instances: instancesView,
  locks: locksView,
  namespaces: namespacesView,
  health: healthView,
  resolve: resolveView,
  beeline: beelineView,
  doctor: doctorView,
};

/** An error for a person: its message, and the code scripts match on. */
export function errorView(error: { code: string; message: string }, terminal: Terminal): string {
  return renderFields([['error', { text: error.message, tone: 'red' }], ['code', error.code]], { ...terminal, width: Math.max(terminal.width, 20) });
}
