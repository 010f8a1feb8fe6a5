// The doctor command: one discovery URL end to end, or every registration of an ensemble, probed,
// plus the registry's hygiene. main.ts prints the report (views.ts on a terminal) and exits 1 when a
// finding is an error (doctorExitCode).

import { doctorRegistry, doctorUrl, loadProbeCa, type DoctorOptions, type DoctorReport } from '../core/doctor/doctor';
import { DEFAULT_PROBE_TIMEOUT_MS, loopbackOnlyFromEnv, type ProbeOptions } from '../core/doctor/probe';
import { HiveZkError } from '../core/errors';
import { parseJdbcUrlAs } from '../core/jdbc/driverVersions';
import { collectEnsembleHealth } from '../core/health/serverHealth';
import { ZkSession } from '../core/zk/session';
import { driverVersion, flag, parseTimeout, type Args } from './args';
import { sessionOptions, withSession } from './session';

export const SSL_CA_PASSWORD_ENV = 'HIVEZK_SSL_CA_PASSWORD';

export async function doctor(args: Args): Promise<DoctorReport> {
  const url = args.positional[0];
  const zk = flag(args, 'zk');
  if ((url === undefined) === (zk === undefined)) {
    throw new HiveZkError('BAD_ARGUMENT', 'Give either a JDBC URL or --zk <connect string>.');
  }
  if (url !== undefined && flag(args, 'namespace') !== undefined) {
    throw new HiveZkError('BAD_ARGUMENT', '--namespace goes with --zk; a JDBC URL names its own namespace (zooKeeperNamespace).');
  }
  if (zk !== undefined && flag(args, 'hive-version') !== undefined) {
    throw new HiveZkError('BAD_ARGUMENT', '--hive-version goes with a JDBC URL: it says how the driver reads the URL.');
  }
  const probe = probeOptions(args);
  const timeoutMs = parseTimeout(flag(args, 'timeout'));
  return url !== undefined
    ? doctorUrlCommand(url, args, probe)
    : withSession(zk ?? '', args, (session) => doctorRegistry(session, flag(args, 'namespace'), { probe, health: healthOf(session, timeoutMs) }));
}

function probeOptions(args: Args): ProbeOptions {
  const timeoutMs = parseTimeout(flag(args, 'probe-timeout'), 'probe-timeout', DEFAULT_PROBE_TIMEOUT_MS);
  const caFile = flag(args, 'ssl-ca');
  const ca = caFile === undefined ? [] : loadProbeCa(caFile, process.env[SSL_CA_PASSWORD_ENV], SSL_CA_PASSWORD_ENV);
  return { timeoutMs, loopbackOnly: loopbackOnlyFromEnv(process.env), ...(ca.length > 0 ? { ca } : {}) };
}

function healthOf(session: ZkSession, timeoutMs: number): NonNullable<DoctorOptions['health']> {
  return () => collectEnsembleHealth(session.connect, { timeoutMs, words: ['cons', 'conf'] });
}

async function doctorUrlCommand(url: string, args: Args, probe: ProbeOptions): ReturnType<typeof doctorUrl> {
  const driver = driverVersion(args);
  const sessions: ZkSession[] = [];
  try {
    return await doctorUrl(
      url,
      (connectString) => {
        let urlVars: Readonly<Record<string, string>> = {};
        try {
          urlVars = parseJdbcUrlAs(url, driver).sessionVars;
        } catch {
          // the doctor reports the parse failure itself
        }
        const session = new ZkSession({ connectString, ...sessionOptions(args, urlVars) });
        sessions.push(session);
        return session;
      },
      { probe, driver },
    );
  } finally {
    sessions.forEach((s) => s.close());
  }
}
