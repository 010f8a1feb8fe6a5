// Where the extension finds the native `kerberos` package: its own copy (the platform VSIX), then
// the one VS Code ships (not a supported API, so only a fallback), else an error naming the VSIX to get.
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { HiveZkError } from '../core/errors';
import { platformTarget, requireModule, type KerberosLoading, type KerberosSource } from '../core/zk/auth/kerberosModule';

/**
 * VS Code's own copy: `node_modules/kerberos` on the remote server and code-server; on desktop builds
 * inside `node_modules.asar` (Electron's require reads it there and loads the binary from
 * `node_modules.asar.unpacked`), or wholly unpacked.
 */
export function vscodeKerberosPaths(appRoot: string): string[] {
  return [join(appRoot, 'node_modules', 'kerberos'), join(appRoot, 'node_modules.asar', 'kerberos'), join(appRoot, 'node_modules.asar.unpacked', 'kerberos')];
}

export function extensionKerberosLoading(appRoot: string, log: { info(line: string): void; warn(line: string): void }): KerberosLoading {
  const target = platformTarget();
  const sources: KerberosSource[] = [
    { label: "the extension's own (platform VSIX)", load: () => requireModule('kerberos') },
    ...vscodeKerberosPaths(appRoot).map((path) => ({
      label: `VS Code's bundled module (${path})`,
      load: () => {
        // Checked first so a missing copy reads as "not there", not as a resolver error (an asar
        // archive is a file to plain Node, so that path is left to Electron's require).
        if (!path.includes('.asar' + sep) && !existsSync(join(path, 'package.json'))) {
          throw new Error('not there');
        }
        return requireModule(path);
      },
    })),
  ];
  return {
    sources,
    unavailable: (tried) => {
      log.warn(`Kerberos: no module loaded (${tried.join('; ')})`);
      return new HiveZkError(
        'ZK_KERBEROS_UNAVAILABLE',
        `This build has no Kerberos support for ${target}, and VS Code's own Kerberos module could not be loaded: ` +
          `install the ${target} VSIX of Hive ZooKeeper Explorer (hive-zookeeper-explorer-${target}.vsix) and reload the window.`,
        { reason: 'module', platform: target, detail: tried.join('; ') },
      );
    },
    onLoaded: (label) => log.info(`Kerberos: using ${label}`),
  };
}
