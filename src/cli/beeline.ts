// The beeline command: the argv, environment and display string to start beeline on a URL or a
// registered instance, quoted for the chosen shell. Passwords never go on its command line.

import { buildBeelineCommand, checkPasswordForFile, SHELL_KINDS, type PasswordSource, type ShellKind } from '../core/jdbc/beeline';
import { parseConnectString } from '../core/zk/connectString';
import { HiveZkError, preview } from '../core/errors';
import { discoveryUrl, instanceUrl } from '../core/jdbc/hs2Urls';
import { readLocalFile } from '../core/localFile';
import { javaTrim } from '../core/untrusted';
import { driverVersion, flag, requireFlag, type Args } from './args';
import { hiveServer2Instances, listRegistry } from '../core/registry/registry';
import { withSession } from './session';

export async function beeline(args: Args): Promise<unknown> {
  const shell = (flag(args, 'shell') ?? 'posix') as ShellKind;
  if (!SHELL_KINDS.includes(shell)) {
    throw new HiveZkError('BAD_ARGUMENT', `--shell must be one of ${SHELL_KINDS.join(', ')}.`);
  }
  let url = args.positional[0];
  if (url !== undefined) {
    for (const name of ['zk', 'namespace', 'instance', 'ha', 'timeout', 'hive-version']) {
      if (args.values[name] !== undefined) {
        throw new HiveZkError('BAD_ARGUMENT', `--${name} does not go with a JDBC URL: give either the URL or --zk and --namespace.`);
      }
    }
  } else {
    const zk = requireFlag(args, 'zk');
    const namespace = requireFlag(args, 'namespace');
    const znode = flag(args, 'instance');
    if (znode === undefined) {
      url = discoveryUrl(parseConnectString(zk), namespace, { ha: args.values.ha === true, driver: driverVersion(args) });
    } else {
      url = await withSession(zk, args, async (session) => {
        const instance = hiveServer2Instances(await listRegistry(session, namespace, { kind: args.values.ha === true ? 'hs2-ha' : 'hs2-or-ha' })).find((i) => i.znode === znode || i.path === znode);
        if (!instance) {
          throw new HiveZkError('ZK_NO_NODE', `No instance ${preview(znode)} under /${preview(namespace)}.`);
        }
        return instanceUrl(instance);
      });
    }
  }
  const passwordFile = flag(args, 'password-file');
  if (passwordFile !== undefined && args.values['password-prompt'] === true) {
    throw new HiveZkError('BAD_ARGUMENT', 'Give --password-prompt or --password-file, not both.');
  }
  if (passwordFile !== undefined) {
    checkPasswordFile(passwordFile);
  }
  const password: PasswordSource = passwordFile !== undefined ? { kind: 'file', path: passwordFile } : args.values['password-prompt'] === true ? { kind: 'prompt' } : { kind: 'none' };
  const user = flag(args, 'user');
  const command = buildBeelineCommand({ url, password, ...(user !== undefined ? { user } : {}) });
  return { url, shell, argv: command.argv, command: command.display(shell) };
}

/**
 * The file must hold a password beeline reads back unchanged: it trims the file (Java's trim: code
 * points up to U+0020) and re-splits the password in its !connect line. Its content is never echoed.
 */
function checkPasswordFile(path: string): void {
  const content = readLocalFile(path, { what: 'The password file', maxBytes: 4096, code: 'BAD_ARGUMENT' }).toString('utf8');
  checkPasswordForFile(javaTrim(content));
}
