// Check Endpoints (marks instance rows) and Run Doctor… (a read-only Markdown report) on an ensemble,
// a namespace, or a JDBC URL; probes run only when one of these is asked for.
import * as vscode from 'vscode';
import { parseConnectString } from '../../core/zk/connectString';
import type { DoctorReport } from '../../core/doctor/doctor';
import { discoveryUrl } from '../../core/jdbc/hs2Urls';
import { Cancelled } from '../commandFunnel';
import { summarize } from '../doctor';
import { Commands } from '../ids';
import { withCancellableProgress } from '../progress';
import type { EnsembleConfig } from '../settings';
import { ask, nodeArgument, pickEnsemble, register, registerForNodes, validateUrl, type CommandDeps } from './common';

const SCOPE_NODES = ['ensemble', 'namespace'] as const;

export function registerDoctorCommands(deps: CommandDeps): void {
  const { doctor, settings } = deps;

  registerForNodes(deps, Commands.checkEndpoints, SCOPE_NODES, async (node) => {
    const ensemble = await pickEnsemble(settings, node);
    const namespace = node?.kind === 'namespace' ? node.namespace : undefined;
    const endpoints = await withCancellableProgress(`Checking the endpoints registered on ${namespace ?? ensemble.name}…`, (signal) => doctor.checkEndpoints(ensemble, namespace, signal));
    // Not awaited: the summary stays up while the rows show the details.
    void vscode.window.showInformationMessage(`${namespace ?? ensemble.name}: ${endpoints.length} endpoint(s) checked — ${summarize(endpoints)}.`);
    return endpoints;
  });

  // From a row (its ensemble or namespace), with a JDBC URL (tests, other extensions), or from the palette (pick or type).
  register(deps, Commands.runDoctor, async (arg) => {
    const node = typeof arg === 'string' ? undefined : nodeArgument(Commands.runDoctor, arg, SCOPE_NODES);
    let target: { url: string } | { ensemble: EnsembleConfig; namespace?: string };
    if (typeof arg === 'string') {
      target = { url: arg };
    } else if (node) {
      const ensemble = await pickEnsemble(settings, node);
      target = node.kind === 'namespace' ? { ensemble, namespace: node.namespace } : { ensemble };
    } else {
      target = await askForTarget(deps);
    }
    const title = 'url' in target ? `JDBC URL (${urlNamespace(target.url)})` : `${target.ensemble.name}${target.namespace ? ` / ${target.namespace}` : ''}`;
    const report: DoctorReport = await withCancellableProgress(`Running the registry doctor on ${title}…`, (signal) =>
      'url' in target ? doctor.doctorUrl(target.url) : doctor.doctorEnsemble(target.ensemble, target.namespace, signal),
    );
    const shown = await doctor.showReport(title, report);
    return { report, ...shown };
  });
}

/** The namespace a URL names, for the report's title (the report itself says how the URL reads). */
function urlNamespace(url: string): string {
  return /zooKeeperNamespace=([^;?#]{1,60})/.exec(url)?.[1] ?? 'direct';
}

/** A configured ensemble (whole, or one HiveServer2 namespace of it), or a JDBC URL typed in. */
async function askForTarget(deps: CommandDeps): Promise<{ url: string } | { ensemble: EnsembleConfig; namespace?: string }> {
  const typed = { label: '$(edit) Enter a JDBC URL…' };
  const configured = deps.settings().ensembles.flatMap((ensemble) => [
    { label: ensemble.name, description: `every namespace · ${ensemble.connectString}`, ensemble },
    ...ensemble.hs2Namespaces.map((namespace) => ({ label: `${ensemble.name} / ${namespace}`, description: discoveryUrl(parseConnectString(ensemble.connectString), namespace), ensemble, namespace })),
  ]);
  const picked = await vscode.window.showQuickPick<vscode.QuickPickItem & { ensemble?: EnsembleConfig; namespace?: string }>([typed, ...configured], { title: 'Run the registry doctor', placeHolder: 'An ensemble, a namespace, or a JDBC URL of your own' });
  if (picked === undefined) {
    throw new Cancelled();
  }
  if (picked.ensemble) {
    return picked.namespace !== undefined ? { ensemble: picked.ensemble, namespace: picked.namespace } : { ensemble: picked.ensemble };
  }
  const url = await ask({
    title: 'Run the registry doctor on a JDBC URL',
    prompt: 'Every registration of the URL\'s namespace is probed, and the report says what the driver would do',
    placeHolder: 'jdbc:hive2://zk1:2181,zk2:2181/;serviceDiscoveryMode=zooKeeper;zooKeeperNamespace=hiveserver2',
    validateInput: (value) => validateUrl(value),
  });
  return { url };
}
