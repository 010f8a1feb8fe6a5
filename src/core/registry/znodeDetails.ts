// A Hive znode decoded for reading, one key per line: a HiveServer2 registration (plain or HA), a
// lock, or a metastore entry, recognised by its name and place. Values are untrusted: invisible
// characters are shown escaped, so a value cannot fake another line.
import { describeHaInstance, splitHaName } from './haRegistry';
import { decodeInstanceData, describeInstance, parseInstanceName, type Hs2Instance } from './hs2Instance';
import { parseMetastoreZnode } from './metastoreRegistry';
import { decodeLockData, decodeLockObject, formatLockObject, parseLockName } from '../locks/locks';
import { formatAge } from '../health/owners';
import { escapeInvisible } from '../untrusted';
import type { ZnodeStat } from '../zk/session';

export interface ZnodeDetails {
  /** What the znode is, e.g. "HiveServer2 instance". */
  title: string;
  rows: [string, string][];
  /** A HiveServer2 registration, decoded (its reader offers a URL and a beeline command for it). */
  instance?: Hs2Instance;
}

const METASTORE_NAME = /^[A-Za-z0-9_.-]+:\d{1,5}\d{10}$/;

export function describeHiveZnode(path: string, data: Uint8Array, stat?: ZnodeStat): ZnodeDetails | undefined {
  const slash = path.lastIndexOf('/');
  const parent = path.slice(0, slash) || '/';
  const name = path.slice(slash + 1);
  let details: ZnodeDetails | undefined;
  const lock = parseLockName(name);
  if (parseInstanceName(name)) {
    details = instanceDetails('HiveServer2 instance', describeInstance(parent, name, decodeInstanceData(data), stat));
  } else if (parent.endsWith('/instances') && splitHaName(parent.slice(0, -'/instances'.length)) !== undefined) {
    details = instanceDetails('HiveServer2 instance (active/passive HA)', describeHaInstance(parent, name, data, stat));
  } else if (lock) {
    const decoded = decodeLockData(data);
    // Below the lock namespace (the first segment): database, table, partition.
    const object = decodeLockObject(parent.split('/').slice(2));
    details = {
      title: 'Hive lock',
      rows: [
        ['Mode', lock.mode],
        ['Object', formatLockObject(object)],
        ['Query id', decoded.queryId ?? ''],
        ['Locked at', decoded.lockTime !== undefined ? new Date(decoded.lockTime).toISOString() : ''],
        // As the lock's row and tooltip say it (the one age formatter).
        ['Held for', decoded.lockTime !== undefined ? formatAge(Date.now() - decoded.lockTime) : ''],
        ['Lock mode', decoded.lockMode ?? ''],
        ['Client', decoded.clientIp ?? ''],
        ['Query', decoded.queryString ?? ''],
        ['Problems', decoded.problems.join('; ')],
      ],
    };
  } else if (METASTORE_NAME.test(name)) {
    const metastore = parseMetastoreZnode(name, data);
    details = metastore ? { title: 'Hive metastore', rows: [['Host', metastore.host], ['Port', String(metastore.port)], ['URI', metastore.uri]] } : undefined;
  }
  if (!details) {
    return undefined;
  }
  return { ...details, rows: details.rows.filter(([, value]) => value !== '').map(([key, value]) => [key, escapeInvisible(value)]) };
}

/** What a registration says about itself, as label/value rows (undefined: not published); the details view and the tooltip show these. */
export function instanceFields(i: Hs2Instance): [string, string | undefined][] {
  return [
    ['Host', i.host],
    ['Port', i.port?.toString()],
    ['Version', i.version],
    ['Active', i.isLeader === undefined ? undefined : String(i.isLeader)],
    ['Transport', i.transportMode],
    ['HTTP path', i.httpPath],
    ['SSL', i.ssl === undefined ? undefined : String(i.ssl)],
    ['Authentication', i.authentication],
    ['Principal', i.principal],
    ['SASL QOP', i.saslQop],
    ['Sequence', i.sequence],
    ['Data format', i.dataFormat],
  ];
}

function instanceDetails(title: string, i: Hs2Instance): ZnodeDetails {
  const rows = instanceFields(i).filter((row): row is [string, string] => row[1] !== undefined);
  for (const [key, value] of Object.entries(i.settings).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    rows.push([key, value]);
  }
  if (i.problems.length > 0) {
    rows.push(['Problems', i.problems.join('; ')]);
  }
  return { title, rows, instance: i };
}
