// The registry doctor in the editor: Check Endpoints marks instance rows with their probe result (a
// map keyed by row id, applied as rows are drawn), Run Doctor… shows the report as a read-only
// Markdown preview of a virtual document, and an optional timer re-checks what was last checked.
import * as vscode from 'vscode';
import { doctorRegistry, doctorUrl, type DoctorOptions, type DoctorReport } from '../core/doctor/doctor';
import type { DoctorEndpoint } from '../core/doctor/endpoints';
import { loopbackOnlyFromEnv, type ProbeOptions, type ProbeResult, type ProbeStatus } from '../core/doctor/probe';
import { formatDoctorMarkdown } from '../core/doctor/report';
import { HiveZkError, toHiveZkError } from '../core/errors';
import { Disposable, type DisposableLike } from '../core/lifecycle';
import { parseJdbcUrl } from '../core/jdbc/jdbcUrl';
import { collectEnsembleHealth } from '../core/health/serverHealth';
import { escapeInvisible } from '../core/untrusted';
import type { Connections } from './connections';
import { SECTION, type EnsembleConfig, type Settings } from './settings';
import { znodeId, type TreeNode } from './tree/nodes';

export const DOCTOR_SCHEME = 'hivezk-doctor';

const LOOK: Record<ProbeStatus, { words: string; icon: string; color: string }> = {
  answering: { words: 'answering', icon: 'pass', color: 'testing.iconPassed' },
  refused: { words: 'refused', icon: 'error', color: 'testing.iconFailed' },
  timeout: { words: 'timed out', icon: 'watch', color: 'testing.iconFailed' },
  unresolved: { words: 'unknown host', icon: 'question', color: 'testing.iconFailed' },
  'tls-expected': { words: 'TLS problem: not TLS', icon: 'unlock', color: 'testing.iconFailed' },
  'tls-untrusted': { words: 'TLS problem: untrusted', icon: 'unlock', color: 'testing.iconFailed' },
  'tls-hostname': { words: 'TLS problem: wrong host', icon: 'unlock', color: 'testing.iconFailed' },
  'tls-expired': { words: 'TLS problem: expired', icon: 'unlock', color: 'testing.iconFailed' },
  'http-error': { words: 'HTTP error', icon: 'globe', color: 'testing.iconFailed' },
  skipped: { words: 'skipped', icon: 'circle-slash', color: 'disabledForeground' },
};

/** Probe results by tree row id ("<ensemble>|<znode path>"), drawn onto the rows they belong to. */
export class EndpointMarks extends Disposable {
  private readonly marks = new Map<string, { namespace: string; probe: ProbeResult }>();
  private readonly emitter = this.register(new vscode.EventEmitter<string[]>());
  /** Fires with the ids of rows whose mark changed. */
  readonly onDidChange = this.emitter.event;

  /** Replaces the marks of one check's scope (an ensemble, or one of its namespaces) with its results. */
  replace(ensemble: string, namespace: string | undefined, endpoints: readonly DoctorEndpoint[]): void {
    const changed: string[] = [];
    for (const [id, mark] of this.marks) {
      if (id.startsWith(`${ensemble}|`) && (namespace === undefined || mark.namespace === namespace || mark.namespace.startsWith(`${namespace}-`))) {
        this.marks.delete(id);
        changed.push(id);
      }
    }
    for (const endpoint of endpoints) {
      const id = znodeId(ensemble, endpoint.znode);
      this.marks.set(id, { namespace: endpoint.namespace, probe: endpoint.probe });
      changed.push(id);
    }
    this.emitter.fire(changed);
  }

  get(id: string): ProbeResult | undefined {
    return this.marks.get(id)?.probe;
  }

  /** Icon, a first word in the description and the probe's detail in the tooltip of a marked row. */
  decorate(node: TreeNode, item: vscode.TreeItem): void {
    const probe = this.marks.get(node.id)?.probe;
    if (!probe) {
      return;
    }
    const look = LOOK[probe.status];
    item.iconPath = new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
    item.description = typeof item.description === 'string' && item.description !== '' ? `${look.words} · ${item.description}` : look.words;
    const line = escapeInvisible(`${probe.status} (${probe.ms} ms): ${probe.detail}`);
    if (item.tooltip instanceof vscode.MarkdownString) {
      item.tooltip.appendMarkdown('\n\n**Endpoint check**  \n').appendText(line);
    } else {
      item.tooltip = `${typeof item.tooltip === 'string' ? `${item.tooltip}\n\n` : ''}Endpoint check: ${line}`;
    }
    if (item.accessibilityInformation) {
      item.accessibilityInformation = { label: `${item.accessibilityInformation.label}, ${look.words}` };
    }
  }
}

/** The doctor's reports as read-only virtual Markdown documents (never an untitled, dirty editor). */
export class DoctorReports implements vscode.TextDocumentContentProvider {
  private readonly documents = new Map<string, string>();
  private count = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? 'This doctor report is no longer available: run the doctor again.';
  }

  /** Keeps the report under a new URI and opens its Markdown preview. */
  async show(title: string, markdown: string): Promise<vscode.Uri> {
    this.count += 1;
    const uri = vscode.Uri.from({ scheme: DOCTOR_SCHEME, path: `/${title.replace(/[^\w.@:-]+/g, '-').slice(0, 80)}.md`, query: `n=${this.count}` });
    this.documents.set(uri.toString(), markdown);
    // Only the last few reports are kept: each is a snapshot, and a new run makes a new one.
    if (this.documents.size > 20) {
      const oldest = this.documents.keys().next().value;
      if (oldest !== undefined) {
        this.documents.delete(oldest);
      }
    }
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    }
    return uri;
  }
}

/** One check asked for: what a re-check repeats. */
interface Scope {
  ensemble: string;
  namespace?: string;
}

export class DoctorView extends Disposable {
  readonly marks = this.register(new EndpointMarks());
  readonly reports = new DoctorReports();
  private readonly scopes = new Map<string, Scope>();
  private timer: DisposableLike | undefined;
  private timerMinutes = 0;

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(DOCTOR_SCHEME, this.reports));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SECTION}.doctor`)) {
          this.schedule();
        }
      }),
    );
  }

  /** The guard is on when the setting or the environment says so; neither can turn the other off. */
  probeOptions(): ProbeOptions {
    const settings = this.settings();
    return { timeoutMs: settings.doctorProbeTimeoutMs, loopbackOnly: settings.doctorLoopbackOnly || loopbackOnlyFromEnv(process.env) };
  }

  /** Probes every registration of an ensemble (or one namespace) and marks their rows. */
  async checkEndpoints(ensemble: EnsembleConfig, namespace?: string, signal?: AbortSignal): Promise<DoctorEndpoint[]> {
    const session = await this.connections.sessionFor(ensemble);
    const report = await doctorRegistry(session, namespace, { probe: this.probeOptions(), endpointsOnly: true, ...(signal ? { signal } : {}) });
    this.marks.replace(ensemble.name, namespace, report.endpoints);
    const key = `${ensemble.name}|${namespace ?? ''}`;
    this.scopes.set(key, namespace === undefined ? { ensemble: ensemble.name } : { ensemble: ensemble.name, namespace });
    this.schedule();
    this.log.info(`[${ensemble.name}] checked ${report.endpoints.length} endpoint(s)${namespace ? ` of ${namespace}` : ''}: ${summarize(report.endpoints)}`);
    return report.endpoints;
  }

  /** The doctor on an ensemble (or one namespace) of it, hygiene included, as a report. */
  async doctorEnsemble(ensemble: EnsembleConfig, namespace?: string, signal?: AbortSignal): Promise<DoctorReport> {
    const session = await this.connections.sessionFor(ensemble);
    const options: DoctorOptions = {
      probe: this.probeOptions(),
      ...(signal ? { signal } : {}),
      lockNamespace: ensemble.lockNamespace,
      health: () => collectEnsembleHealth(session.connect, { words: ['cons', 'conf'], timeoutMs: this.settings().requestTimeoutMs, ...(signal ? { signal } : {}), ...(ensemble.adminServerPort !== undefined ? { adminPort: ensemble.adminServerPort } : {}) }),
    };
    const report = await doctorRegistry(session, namespace, options);
    this.marks.replace(ensemble.name, namespace, report.endpoints);
    return report;
  }

  /** The doctor on one JDBC URL: its steps, every registration of its namespace, what the driver does. */
  async doctorUrl(text: string): Promise<DoctorReport> {
    const url = parseJdbcUrl(text.trim());
    const options = { probe: this.probeOptions(), driver: this.settings().driverVersion };
    if (!url.discovery) {
      return doctorUrl(text.trim(), () => {
        throw new HiveZkError('URL_NOT_DISCOVERY', 'No ZooKeeper needed for a direct URL.');
      }, options);
    }
    return this.connections.withSessionFor(url.authority, (session) => doctorUrl(text.trim(), () => session, options));
  }

  async showReport(title: string, report: DoctorReport): Promise<{ uri: vscode.Uri; markdown: string }> {
    const markdown = formatDoctorMarkdown(report, title, new Date());
    return { uri: await this.reports.show(`doctor ${title}`, markdown), markdown };
  }

  /** Re-checks every N minutes (hiveZk.doctor.recheckMinutes ≥ 1) what was checked on request; off by default. */
  private schedule(): void {
    const minutes = this.settings().doctorRecheckMinutes;
    if (minutes === this.timerMinutes && (this.timer !== undefined || minutes === 0)) {
      return;
    }
    this.timer?.dispose();
    this.timer = undefined;
    this.timerMinutes = minutes;
    // Never re-armed once disposed (a re-check still running at dispose() lands here).
    if (minutes >= 1 && this.scopes.size > 0) {
      this.timer = this.interval(minutes * 60_000, () => void this.recheck());
    }
  }

  private async recheck(): Promise<void> {
    for (const scope of [...this.scopes.values()]) {
      const ensemble = this.settings().ensembles.find((e) => e.name === scope.ensemble);
      if (!ensemble) {
        this.scopes.delete(`${scope.ensemble}|${scope.namespace ?? ''}`);
        continue;
      }
      try {
        await this.checkEndpoints(ensemble, scope.namespace);
      } catch (error) {
        this.log.warn(`[${scope.ensemble}] endpoint re-check failed: ${toHiveZkError(error).message}`);
      }
    }
  }

}

/** "3 answering, 1 refused" */
export function summarize(endpoints: readonly DoctorEndpoint[]): string {
  const counts = new Map<ProbeStatus, number>();
  for (const e of endpoints) {
    counts.set(e.probe.status, (counts.get(e.probe.status) ?? 0) + 1);
  }
  return [...counts].map(([status, n]) => `${n} ${LOOK[status].words}`).join(', ') || 'none registered';
}
