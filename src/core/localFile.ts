// Reads a local file named by a user, a setting or a URL (configuration files, TLS stores,
// password files) with a counted limit: only regular files, never more bytes than allowed,
// whatever size the file reports (/dev/zero, FIFOs and /proc files report none or lie).

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { HiveZkError, preview, type ErrorCode } from './errors';

export interface LocalFileLimits {
  /** What the file is, for messages ("The configuration file", "The TLS truststore"). */
  what: string;
  maxBytes: number;
  /** The code of every refusal (each reader has its own: BAD_CONFIG_FILE, ZK_TLS_FAILED…). */
  code: ErrorCode;
}

const REASONS: Record<string, string> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

function kindOf(stats: Stats): string {
  return stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a pipe (FIFO or process substitution)'
      : stats.isCharacterDevice()
        ? 'a character device'
        : stats.isBlockDevice()
          ? 'a block device'
          : stats.isSocket()
            ? 'a socket'
            : 'not a regular file';
}

/** The file's bytes; a typed error (limits.code) naming the file and the reason for anything else. */
export function readLocalFile(path: string, limits: LocalFileLimits): Buffer {
  const refuse = (reason: string): HiveZkError => new HiveZkError(limits.code, `${limits.what} ${preview(path, 200)} cannot be read: ${reason}.`, { file: preview(path, 200) });
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw refuse('no usable path was given');
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw refuse(REASONS[code] ?? `it cannot be opened (${code || 'error'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw refuse(`it is ${kindOf(stats)}; only regular files are read`);
    }
    // Counted, not trusted: read at most maxBytes + 1 bytes, whatever stats.size says.
    let into = Buffer.allocUnsafe(Math.min(limits.maxBytes + 1, Math.max(stats.size + 1, 64 * 1024)));
    let filled = 0;
    for (;;) {
      if (filled === into.length) {
        if (filled > limits.maxBytes) {
          break;
        }
        const grown = Buffer.allocUnsafe(Math.min(limits.maxBytes + 1, into.length * 2));
        into.copy(grown, 0, 0, filled);
        into = grown;
      }
      const count = readSync(fd, into, filled, into.length - filled, null);
      if (count === 0) {
        break;
      }
      filled += count;
    }
    if (filled > limits.maxBytes) {
      throw refuse(`it is larger than ${formatBytes(limits.maxBytes)}`);
    }
    return into.subarray(0, filled);
  } catch (error) {
    if (error instanceof HiveZkError) {
      throw error;
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw refuse(REASONS[code] ?? `reading failed (${code || 'error'})`);
  } finally {
    closeSync(fd);
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}
