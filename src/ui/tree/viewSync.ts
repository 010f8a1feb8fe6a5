// What VS Code's tree view is handed, kept in step with the tree: row changes are fired only when no
// listing at or below the row is in flight, and a listing overtaken by a rebuild of its row (or a row
// above) hands VS Code nothing and is asked for again, so tree ids are never registered twice.
import * as vscode from 'vscode';
import { Disposable, type DisposableLike } from '../../core/lifecycle';
import type { TreeNode } from './nodes';

/**
 * Why: VS Code's extension host forgets a row's children when the row is refreshed or its parent
 * re-listed, but a listing of that row already in flight still registers its children afterwards,
 * under the old row. The next listing reuses those ids and fails with "Element with id … is
 * already registered" until the whole view is refreshed (what happened on expanding a namespace
 * while a live update fired). A listing is "spoiled" once such a rebuild overtakes it.
 */
const SETTLE_MS = 20;
const ROOT = '';

interface Listing {
  id: string;
  spoiled: boolean;
  /** Spoiled by a whole-view refresh: VS Code asks again by itself. */
  byRoot: boolean;
}

export interface ViewSyncSource {
  getChildren(node?: TreeNode): Promise<TreeNode[]>;
  getTreeItem(node: TreeNode): vscode.TreeItem;
  getParent(node: TreeNode): TreeNode | undefined;
  /** The freshest node known under this id (VS Code may hold an older object for it). */
  latest(id: string): TreeNode | undefined;
  parentIdOf(id: string): string | undefined;
}

export class TreeViewSync extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly emitter = this.register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly listings = new Set<Listing>();
  /** Rows whose change waits for the listings below them. */
  private readonly deferred = new Set<string>();
  /** Id → the object VS Code was handed for it (VS Code keys its rows by object). */
  private readonly handed = new Map<string, TreeNode>();
  private flushTimer: DisposableLike | undefined;

  constructor(private readonly source: ViewSyncSource) {
    super();
  }

  /** How many row changes wait for listings in flight (for tests). */
  get deferredCount(): number {
    return this.deferred.size;
  }

  /**
   * Resolves once nothing is being listed and no change waits, for `stableMs` on end (longer than
   * VS Code's 200 ms debounce of changes): what a reveal right after a burst of changes waits for.
   */
  async whenQuiet(stableMs = 400): Promise<void> {
    let quietSince = Date.now();
    while (!this.isDisposed) {
      if (this.listings.size > 0 || this.deferred.size > 0) {
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= stableMs) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The row with this id changed (undefined: the whole view, which VS Code handles safely at any time). */
  changed(id: string | undefined): void {
    if (this.isDisposed) {
      return;
    }
    if (id === undefined) {
      this.deferred.clear();
      this.emitter.fire(undefined);
      return;
    }
    if (this.busyAtOrBelow(id)) {
      this.deferred.add(id);
      return;
    }
    const node = this.handed.get(id);
    if (node) {
      this.emitter.fire(node);
    }
  }

  /** The node is gone from the tree. */
  forget(id: string): void {
    this.handed.delete(id);
    this.deferred.delete(id);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    // Asked for a row VS Code holds: it is being rebuilt (refreshed or re-listed), and its
    // children's registrations with it. Listings in flight at or below it are overtaken.
    if (this.handed.get(node.id) === node) {
      this.spoil((listing) => this.isAtOrBelow(listing.id, node.id), false);
    }
    return this.source.getTreeItem(this.source.latest(node.id) ?? node);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    const parent = this.source.getParent(node);
    return parent ? (this.handed.get(parent.id) ?? parent) : undefined;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const id = node?.id ?? ROOT;
    // Listing a row first drops what VS Code had listed under it, with whatever is being listed there.
    this.spoil((listing) => id === ROOT || this.isAtOrBelow(listing.id, id), id === ROOT);
    const listing: Listing = { id, spoiled: false, byRoot: false };
    this.listings.add(listing);
    try {
      const children = await this.source.getChildren(node ? (this.source.latest(node.id) ?? node) : undefined);
      if (listing.spoiled) {
        if (!listing.byRoot) {
          this.deferred.add(id);
        }
        return [];
      }
      for (const child of children) {
        this.handed.set(child.id, child);
      }
      return children;
    } finally {
      this.listings.delete(listing);
      this.scheduleFlush();
    }
  }

  private spoil(which: (listing: Listing) => boolean, byRoot: boolean): void {
    for (const listing of this.listings) {
      if (!listing.spoiled && which(listing)) {
        listing.spoiled = true;
        listing.byRoot = byRoot;
      }
    }
  }

  /** Fires the waiting changes once VS Code has registered what it was just handed. */
  private scheduleFlush(): void {
    if (this.flushTimer || this.deferred.size === 0) {
      return;
    }
    this.flushTimer = this.timeout(SETTLE_MS, () => {
      this.flushTimer = undefined;
      for (const id of [...this.deferred]) {
        if (!this.busyAtOrBelow(id)) {
          this.deferred.delete(id);
          this.changed(id);
        }
      }
    });
  }

  private busyAtOrBelow(id: string): boolean {
    for (const listing of this.listings) {
      if (this.isAtOrBelow(listing.id, id)) {
        return true;
      }
    }
    return false;
  }

  /** Whether row `id` is `ancestor` or lies below it (the root is above everything). */
  private isAtOrBelow(id: string, ancestor: string): boolean {
    if (ancestor === ROOT) {
      return true;
    }
    let current: string | undefined = id;
    for (let depth = 0; current !== undefined && current !== ROOT && depth < 64; depth += 1) {
      if (current === ancestor) {
        return true;
      }
      current = this.source.parentIdOf(current);
    }
    return false;
  }

}
