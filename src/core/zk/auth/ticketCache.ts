// The user's MIT Kerberos ticket cache (a FILE: cache, format version 3 or 4), read only to say whose
// ticket it holds and when that ticket ends: a bounded parser that trusts no count or length in the file.

import { closeSync, openSync, readSync } from 'node:fs';
import { HiveZkError } from '../../errors';

/** A cache holds a TGT and a few service tickets (a few KiB); a bigger file is not read past this. */
const MAX_CACHE_BYTES = 1024 * 1024;
const MAX_CREDENTIALS = 1024;
const MAX_COMPONENTS = 16;
const MAX_LIST = 64;

export interface TicketCacheSummary {
  /** The cache's default principal, "alice@REALM". */
  principal: string;
  /** When the principal's ticket-granting ticket ends (epoch ms), if the cache has one. */
  tgtEndsAt?: number;
}

function malformed(reason: string): HiveZkError {
  return new HiveZkError('BAD_CONFIG_FILE', `The Kerberos ticket cache is not one this client can read (${reason}).`, { reason });
}

/** A cursor over the cache's bytes; every read is checked against what is left. */
class Reader {
  at = 0;
  constructor(private readonly bytes: Buffer) {}

  private need(count: number): void {
    if (count < 0 || this.at + count > this.bytes.length) {
      throw malformed('truncated');
    }
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.at++];
  }
  u16(): number {
    this.need(2);
    const value = this.bytes.readUInt16BE(this.at);
    this.at += 2;
    return value;
  }
  u32(): number {
    this.need(4);
    const value = this.bytes.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }
  skip(count: number): void {
    this.need(count);
    this.at += count;
  }
  /** A 32-bit length and that many bytes, as a view (no copy); the length must fit in what is left. */
  counted(): Buffer {
    const length = this.u32();
    this.need(length);
    const value = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
  count(cap: number, what: string): number {
    const value = this.u32();
    if (value > cap) {
      throw malformed(`${value} ${what}`);
    }
    return value;
  }
  get done(): boolean {
    return this.at >= this.bytes.length;
  }
}

interface Principal {
  realm: string;
  components: string[];
}

function readPrincipal(reader: Reader): Principal {
  reader.u32(); // name type
  const count = reader.count(MAX_COMPONENTS, 'principal components');
  const realm = reader.counted().toString('utf8');
  const components: string[] = [];
  for (let i = 0; i < count; i += 1) {
    components.push(reader.counted().toString('utf8'));
  }
  return { realm, components };
}

const principalText = (p: Principal): string => `${p.components.join('/')}@${p.realm}`;

/** Parses a whole cache file's bytes (format 0x0503 or 0x0504). */
export function parseTicketCache(bytes: Buffer): TicketCacheSummary {
  const reader = new Reader(bytes);
  if (reader.u8() !== 5) {
    throw malformed('not an MIT ccache file');
  }
  const version = reader.u8();
  if (version !== 3 && version !== 4) {
    throw malformed(`format version ${version}`);
  }
  if (version === 4) {
    reader.skip(reader.u16()); // header tags (KDC time offset): not needed here
  }
  const owner = readPrincipal(reader);
  const principal = principalText(owner);
  let tgtEndsAt: number | undefined;
  for (let n = 0; !reader.done; n += 1) {
    if (n >= MAX_CREDENTIALS) {
      throw malformed(`more than ${MAX_CREDENTIALS} credentials`);
    }
    const client = readPrincipal(reader);
    const server = readPrincipal(reader);
    reader.u16(); // key enctype
    if (version === 3) {
      reader.u16(); // version 3 writes the enctype twice
    }
    reader.counted(); // key
    reader.u32(); // authtime
    reader.u32(); // starttime
    const endtime = reader.u32();
    reader.u32(); // renew till
    reader.u8(); // is_skey
    reader.u32(); // flags
    for (let i = reader.count(MAX_LIST, 'addresses'); i > 0; i -= 1) {
      reader.u16();
      reader.counted();
    }
    for (let i = reader.count(MAX_LIST, 'authorization data entries'); i > 0; i -= 1) {
      reader.u16();
      reader.counted();
    }
    reader.counted(); // ticket
    reader.counted(); // second ticket
    const isTgt = server.components.length === 2 && server.components[0] === 'krbtgt' && server.components[1] === owner.realm && principalText(client) === principal;
    if (isTgt) {
      tgtEndsAt = Math.max(tgtEndsAt ?? 0, endtime * 1000);
    }
  }
  return tgtEndsAt !== undefined ? { principal, tgtEndsAt } : { principal };
}

/**
 * The file of the ticket cache GSSAPI uses: KRB5CCNAME when it names a FILE: cache (or a bare
 * path), else MIT's default /tmp/krb5cc_<uid>; undefined for other cache types (KEYRING:, KCM:, …).
 */
export function ticketCacheFile(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string | undefined {
  const name = env.KRB5CCNAME;
  if (name !== undefined && name !== '') {
    if (name.startsWith('FILE:')) {
      return name.slice('FILE:'.length);
    }
    return /^[A-Za-z0-9]+:/.test(name) ? undefined : name;
  }
  return uid !== undefined ? `/tmp/krb5cc_${uid}` : undefined;
}

/** Reads and parses the cache file; undefined when there is none to read. Throws BAD_CONFIG_FILE when it is malformed. */
export function readTicketCache(file: string | undefined = ticketCacheFile()): TicketCacheSummary | undefined {
  if (file === undefined) {
    return undefined;
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    // Read by count, never by a size the file system or the file reports.
    const buffer = Buffer.alloc(MAX_CACHE_BYTES + 1);
    let filled = 0;
    for (let read = -1; read !== 0 && filled < buffer.length; filled += read) {
      read = readSync(fd, buffer, filled, buffer.length - filled, null);
    }
    if (filled > MAX_CACHE_BYTES) {
      throw malformed(`larger than ${MAX_CACHE_BYTES} bytes`);
    }
    return parseTicketCache(buffer.subarray(0, filled));
  } finally {
    closeSync(fd);
  }
}
