// `npm run demo` opens on the Hive ZooKeeper view: its workspace holds the marker file that
// activates the extension there (and nowhere else), and HIVEZK_DEMO=1, set only by scripts/demo.mjs,
// asks for the view to be shown once per demo profile (a later choice of another view is kept).
import * as vscode from 'vscode';
import { VIEW_ID } from './ids';

const REVEALED = 'hiveZk.demo.revealed';

export function revealViewForDemo(context: vscode.ExtensionContext): void {
  if (process.env.HIVEZK_DEMO !== '1' || context.globalState.get<boolean>(REVEALED)) {
    return;
  }
  void context.globalState.update(REVEALED, true);
  // `<view id>.focus` is the command VS Code contributes for every view.
  void vscode.commands.executeCommand(`${VIEW_ID}.focus`);
}
