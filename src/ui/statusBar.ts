// One status-bar item for the ensembles: session state and health at a glance ("prod: 5 HS2 ·
// 1 waiting"), each ensemble in the tooltip; a click opens the log.
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { SessionState } from '../core/zk/session';
import type { Connections } from './connections';
import { SECURITY_FAILURE_LABELS } from './ensembleSecurity';
import { Commands, ContextKeys, STATUS_BAR_ID } from './ids';
import type { Settings } from './settings';
import { STATE_LABELS } from './tree/presentation';
import type { HiveZkTreeProvider } from './tree/provider';

const ICONS: Record<SessionState, string> = {
  idle: '$(circle-outline)',
  connecting: '$(sync~spin)',
  connected: '$(pass-filled)',
  reconnecting: '$(sync~spin)',
  expired: '$(warning)',
  authFailed: '$(error)',
  error: '$(error)',
  closed: '$(circle-outline)',
};

export class SessionStatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10));

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
    private readonly tree: Pick<HiveZkTreeProvider, 'summary' | 'onDidChangeSummary'>,
  ) {
    super();
    this.item.name = 'Hive ZooKeeper';
    this.item.command = Commands.showLog;
    this.register(connections.onDidChangeState(() => this.update()));
    this.register(tree.onDidChangeSummary(() => this.update()));
    this.update();
  }

  /** "5 HS2 · 1 waiting" from what the tree has listed (empty until it has). */
  private health(name: string): string {
    const { hs2, waiting } = this.tree.summary(name);
    return [hs2 !== undefined ? `${hs2} HS2` : undefined, waiting ? `${waiting} waiting` : undefined].filter(Boolean).join(' · ');
  }

  /** What failed, in a few words, for a failing secured (or authenticated) ensemble: "TLS failed". */
  private problem(name: string): string | undefined {
    const code = this.connections.failureOf(name)?.code;
    return code ? SECURITY_FAILURE_LABELS[code] : undefined;
  }

  /** Text currently shown, for tests and logs. */
  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : '';
  }

  update(): void {
    const ensembles = this.settings().ensembles;
    const states = ensembles.map((e) => ({ name: e.name, state: this.connections.stateOf(e.name) }));
    const active = states.filter((s) => s.state !== 'idle' && s.state !== 'closed');
    void vscode.commands.executeCommand('setContext', ContextKeys.connected, states.some((s) => s.state === 'connected'));
    if (active.length === 0) {
      this.item.hide();
      return;
    }
    const worst = active.find((s) => s.state === 'error' || s.state === 'authFailed') ?? active.find((s) => s.state === 'expired') ?? active.find((s) => s.state !== 'connected') ?? active[0];
    const connected = states.filter((s) => s.state === 'connected').length;
    // One ensemble speaks for itself; several are counted against all that are configured.
    const single = states.length === 1 && worst ? worst : undefined;
    const singleHealth = single?.state === 'connected' ? this.health(single.name) : '';
    this.item.text = single ? `${ICONS[single.state]} ${single.name}: ${singleHealth || this.problem(single.name) || STATE_LABELS[single.state]}` : `${ICONS[worst?.state ?? 'connected']} ZK ${connected}/${states.length} connected`;
    this.item.tooltip = `Hive ZooKeeper (click for the log)\n${states.map((s) => `${s.name}: ${[STATE_LABELS[s.state], this.health(s.name), this.connections.failureOf(s.name)?.message].filter(Boolean).join(' · ')}`).join('\n')}`;
    this.item.backgroundColor = worst && ['error', 'authFailed', 'expired'].includes(worst.state) ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

}
