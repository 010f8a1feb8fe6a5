// The JDBC URL commands: parse-url (what the driver reads from a URL, secrets masked) and resolve
// (a discovery URL to the concrete servers, as the chosen driver version would pick them).

import { explainUrl } from '../core/jdbc/driverQuirks';
import { parseJdbcUrlAs } from '../core/jdbc/driverVersions';
import { resolveJdbcUrl } from '../core/jdbc/resolver';
import { maskSecrets } from '../core/jdbc/secretParams';
import { ZkSession } from '../core/zk/session';
import { driverVersion, requirePositional, type Args } from './args';
import { sessionOptions } from './session';

export function parseUrl(args: Args): unknown {
  const input = requirePositional(args, 'the JDBC URL');
  const driver = driverVersion(args);
  const url = parseJdbcUrlAs(input, driver);
  // Any key holding (part of) a password is masked, key and value: "password=ab" from "password=ab=c" too.
  const sessionVars = maskSecrets(url.sessionVars);
  return {
    driver,
    hosts: url.hosts,
    port: url.driverPort ?? null,
    database: url.database,
    sessionVars,
    hiveConfs: url.hiveConfs,
    hiveVars: url.hiveVars,
    discovery: url.discovery ?? null,
    embedded: url.embedded,
    notes: explainUrl(input, driver),
  };
}

export async function resolve(args: Args): Promise<unknown> {
  const url = requirePositional(args, 'the JDBC URL');
  const sessions: ZkSession[] = [];
  try {
    return await resolveJdbcUrl(
      url,
      (connectString) => {
        const session = new ZkSession({ connectString, ...sessionOptions(args, parseJdbcUrlAs(url, driverVersion(args)).sessionVars) });
        sessions.push(session);
        return session;
      },
      { pickOnly: args.values['pick-only'] === true, driver: driverVersion(args), compareVersions: args.values['compare-versions'] === true },
    );
  } finally {
    sessions.forEach((s) => s.close());
  }
}
