// Long work under VS Code's progress, cancellable: VS Code's CancellationToken becomes the core's
// AbortSignal, and the work then rejects with CANCELLED (which the error funnel keeps quiet).
import * as vscode from 'vscode';
import type { DisposableLike } from '../core/lifecycle';
import { VIEW_ID } from './ids';

/** Work the tree starts by itself still running after this long offers Cancel (a quick one shows only the view's bar). */
const CANCEL_OFFERED_AFTER_MS = 1000;

/** A command's work under a notification with Cancel. */
export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
      const abort = new AbortController();
      const listener = token.onCancellationRequested(() => abort.abort());
      try {
        return await work(abort.signal);
      } finally {
        listener.dispose();
      }
    }),
  );
}

export interface TreeWorkTitles {
  /** On the view's own progress bar, at once. */
  view: string;
  /** On the notification with Cancel, once the work has taken a moment. */
  notification: string;
}

/**
 * Work the tree starts while drawing (a namespace scan, a lock walk, Health): the view's progress bar
 * at once, and past a moment a notification whose Cancel aborts the work's signal. `timeout` is the
 * tree's own timer, released with it.
 */
export function treeWork<T>(titles: TreeWorkTitles, timeout: (ms: number, run: () => void) => DisposableLike, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let report: ((message: string) => void) | undefined;
  const running = work(abort.signal, (message) => report?.(message));
  const settled = running.then(
    () => undefined,
    () => undefined,
  );
  void vscode.window.withProgress({ location: { viewId: VIEW_ID }, title: titles.view }, () => settled);
  const offerCancel = timeout(CANCEL_OFFERED_AFTER_MS, () => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: titles.notification, cancellable: true }, (progress, token) => {
      token.onCancellationRequested(() => abort.abort());
      report = (message) => progress.report({ message });
      return settled;
    });
  });
  void settled.then(() => offerCancel.dispose());
  return running;
}
