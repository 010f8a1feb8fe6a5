// Read-only documents showing a znode: for Hive's own znodes (instances, locks, metastores) the
// decoded fields one per line first, then the raw data (text / JSON / hex), stat and ACL.
import * as vscode from 'vscode';
import { HiveZkError, toHiveZkError } from '../core/errors';
import { Disposable } from '../core/lifecycle';
import { describeHiveZnode } from '../core/registry/znodeDetails';
import { renderZnodeData } from '../core/zk/znodeText';
import { escapeInvisible } from '../core/untrusted';
import { instanceUrl } from '../core/jdbc/hs2Urls';
import type { Hs2Instance } from '../core/registry/hs2Instance';
import { beelineCommandFor } from './commands/jdbc';
import type { Connections } from './connections';
import type { Settings } from './settings';

export const ZNODE_SCHEME = 'hivezk-znode';

export function znodeUri(ensemble: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: ZNODE_SCHEME, path, query: new URLSearchParams({ ensemble }).toString() });
}

export class ZnodeDocumentProvider extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;

  /** Reads the znode again for an open document. */
  refresh(uri: vscode.Uri): void {
    this.changeEmitter.fire(uri);
  }

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
  ) {
    super();
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ensembleName = new URLSearchParams(uri.query).get('ensemble') ?? '';
    const ensemble = this.settings().ensembles.find((e) => e.name === ensembleName);
    if (!ensemble) {
      return `The ensemble "${ensembleName}" is not configured.`;
    }
    const session = await this.connections.sessionFor(ensemble);
    const path = uri.path;
    const [data, acl] = await Promise.all([settle(session.getData(path)), settle(session.getAcl(path))]);
    const aclText = acl instanceof HiveZkError ? acl.message : acl.acls.map((a) => `${a.scheme}:${a.id} ${a.permissions}`).join(', ');
    const lines = [`# ${path}   (${ensemble.name}: ${ensemble.connectString})`];
    if (data instanceof HiveZkError) {
      lines.push(`# data: ${data.message}`, `# ACL: ${aclText}`);
      return lines.join('\n');
    }
    const { stat } = data;
    lines.push(
      `# version ${stat.version} · ${stat.dataLength} bytes · ${stat.numChildren} children · ${stat.ephemeralOwner === '0' ? 'persistent' : `ephemeral (session 0x${stat.ephemeralOwner})`}`,
      `# created ${new Date(stat.ctime).toISOString()} · modified ${new Date(stat.mtime).toISOString()}`,
      `# ACL: ${aclText}`,
    );
    const details = describeHiveZnode(path, data.data, stat);
    if (details) {
      // An instance's URL and beeline command (as Copy offers them), aligned with its fields.
      const rows = details.instance ? [...connectRows(this.settings(), ensemble.name, details.instance), ...details.rows] : details.rows;
      const width = Math.max(...rows.map(([key]) => key.length));
      lines.push('', `# decoded: ${details.title}`, ...rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`));
    }
    const rendered = renderZnodeData(data.data);
    lines.push('', `# raw data (${rendered.format}${rendered.truncated ? ', first 256 KiB' : ''}):`, '', rendered.text);
    return lines.join('\n');
  }
}

/** "JDBC URL" and "beeline" rows for a registration, or why it has none (no usable address). */
function connectRows(settings: Settings, ensemble: string, instance: Hs2Instance): [string, string][] {
  try {
    const url = instanceUrl(instance);
    // Built from znode text: invisible characters shown escaped, as in the rows below.
    return [
      ['JDBC URL', escapeInvisible(url)],
      ['beeline', escapeInvisible(beelineCommandFor(settings, ensemble, url).display('posix'))],
    ];
  } catch (error) {
    return [['JDBC URL', toHiveZkError(error).message]];
  }
}

function settle<T>(promise: Promise<T>): Promise<T | HiveZkError> {
  return promise.catch((error: unknown) => toHiveZkError(error));
}
