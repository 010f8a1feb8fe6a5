// hive-zk's exit codes, one meaning each, and the one rule that turns a health report into one:
// scripts and monitoring read these, so they are listed in --help and the README.

export const EXIT = {
  ok: 0,
  /** The command failed: the error is printed ({"error":{"code","message"}} in JSON). */
  failed: 1,
  /** The command line was wrong: unknown command or option, missing or bad value. */
  usage: 2,
  /** health: some server is down, not serving or read-only (out of quorum), or the registrations and locks could not be read. */
  degraded: 3,
  /** health: no server of the ensemble answered. */
  unreachable: 4,
} as const;

export const EXIT_CODES_USAGE = `Exit codes:
  0  done (health: every server serving, registrations and locks read)
  1  the command failed (the error is printed; in JSON {"error":{"code","message"}}); doctor: a finding is an error
  2  bad usage: unknown command or option, missing or bad value
  3  health only: a server is down or out of quorum, or the registrations and locks could not be read
  4  health only: no server of the ensemble answered
`;

/** Server modes of a server that is part of a working quorum (or a standalone server). */
const SERVING = new Set(['leader', 'follower', 'observer', 'standalone']);

/**
 * The exit code of a health report (its JSON): unreachable when no server answered, degraded when
 * one is down or answers but is not serving (a server whose mode could not be learnt is not held
 * against the ensemble), or when the registry could not be read.
 */
export function healthExitCode(report: { servers?: unknown; registry?: unknown }): number {
  const servers = Array.isArray(report.servers) ? (report.servers as { reachable?: unknown; mode?: unknown }[]) : [];
  if (servers.length === 0 || servers.every((s) => s.reachable !== true)) {
    return EXIT.unreachable;
  }
  const down = servers.some((s) => s.reachable !== true || (typeof s.mode === 'string' && !SERVING.has(s.mode)));
  const registry = report.registry as { error?: unknown } | null | undefined;
  return down || (registry !== null && typeof registry === 'object' && registry.error !== undefined) ? EXIT.degraded : EXIT.ok;
}
