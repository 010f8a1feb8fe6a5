// Read-only virtual documents holding a snapshot (a JDBC URL's resolution): never an Untitled editor
// that asks to be saved. The last few are kept; an older one says it is gone.
import * as vscode from 'vscode';

export const SNAPSHOT_SCHEME = 'hivezk-snapshot';
const KEPT = 20;

export class SnapshotDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly documents = new Map<string, string>();
  private count = 0;
  private readonly registration: vscode.Disposable;

  constructor(private readonly scheme: string) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? 'This snapshot is no longer kept: run the command again.';
  }

  /** Keeps the text under a new URI (named `name`, e.g. "resolution.json") and shows it. */
  async open(name: string, text: string, language: string): Promise<vscode.TextDocument> {
    this.count += 1;
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${name.replace(/[^\w.@:-]+/g, '-').slice(0, 80)}`, query: `n=${this.count}` });
    this.documents.set(uri.toString(), text);
    if (this.documents.size > KEPT) {
      const oldest = this.documents.keys().next().value;
      if (oldest !== undefined) {
        this.documents.delete(oldest);
      }
    }
    const document = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), language);
    await vscode.window.showTextDocument(document, { preview: false });
    return document;
  }

  dispose(): void {
    this.registration.dispose();
    this.documents.clear();
  }
}
