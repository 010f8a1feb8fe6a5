// The one error funnel every command goes through: cancellation is silent, the detail goes to
// the log, and the user sees one clear line.
import * as vscode from 'vscode';
import { HiveZkError, isHiveZkError } from '../core/errors';

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export function registerCommand(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  id: string,
  handler: (...args: unknown[]) => unknown,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        reportError(log, id, error);
        return undefined;
      }
    }),
  );
}

export function reportError(log: vscode.LogOutputChannel, context: string, error: unknown): void {
  if (error instanceof Cancelled || error instanceof vscode.CancellationError) {
    return;
  }
  if (isHiveZkError(error, 'CANCELLED')) {
    // Cancelled by the user (a progress notification's Cancel): noted, not shown.
    log.info(`${context}: ${error.message}`);
    return;
  }
  if (error instanceof HiveZkError) {
    log.error(`${context}: ${error.code}: ${error.message}`);
    void vscode.window.showErrorMessage(error.message);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  log.error(`${context}: unexpected error: ${error instanceof Error && error.stack ? error.stack : message}`);
  void vscode.window.showErrorMessage(`Hive ZooKeeper: ${message}`);
}
