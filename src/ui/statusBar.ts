// One status-bar item for the ensembles' sessions: their state at a glance, a click opens the log.
import * as vscode from 'vscode';
import type { SessionState } from '../core/zkSession';
import type { Connections } from './connections';
import { Commands, ContextKeys, STATUS_BAR_ID } from './ids';
import type { Settings } from './settings';

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

export class SessionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly connections: Connections,
    private readonly settings: () => Settings,
  ) {
    this.item.name = 'Hive ZooKeeper';
    this.item.command = Commands.showLog;
    this.subscription = connections.onDidChangeState(() => this.update());
    this.update();
  }

  /** Text currently shown, for tests and logs. */
  get text(): string {
    return this.item.text;
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
    const connected = active.filter((s) => s.state === 'connected').length;
    this.item.text = active.length === 1 && worst ? `${ICONS[worst.state]} ZK ${worst.name}: ${worst.state}` : `${ICONS[worst?.state ?? 'connected']} ZK ${connected}/${active.length} connected`;
    this.item.tooltip = `Hive ZooKeeper sessions (click for the log)\n${states.map((s) => `${s.name}: ${s.state}`).join('\n')}`;
    this.item.backgroundColor = worst && ['error', 'authFailed', 'expired'].includes(worst.state) ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
