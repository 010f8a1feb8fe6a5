// Paging of long child lists: the shown part of a parent's children plus a "Load more…" node,
// remembering how far each parent has been opened until the whole tree is refreshed.
import type { LoadMoreNode, TreeNode } from './nodes';

export class Paging {
  private readonly pages = new Map<string, number>();

  constructor(private readonly pageSize: () => number) {}

  /** The parent of this "Load more…" node shows one more page at its next listing. */
  more(node: LoadMoreNode): void {
    this.pages.set(node.parentId, node.shown + this.pageSize());
  }

  clear(): void {
    this.pages.clear();
  }

  page(parent: TreeNode, nodes: TreeNode[]): Promise<TreeNode[]> {
    return this.pageOf(parent.id, parent.ensemble, nodes, (visible) => [...visible]);
  }

  /** How many of a parent's children are shown: a page, or more after "Load more…". */
  shown(parentId: string): number {
    return this.pages.get(parentId) ?? this.pageSize();
  }

  /** The shown part of a parent's children plus "Load more…"; `build` makes nodes for that part only. */
  async pageOf<T>(parentId: string, ensemble: string, items: readonly T[], build: (visible: readonly T[]) => TreeNode[] | Promise<TreeNode[]>): Promise<TreeNode[]> {
    const shown = this.shown(parentId);
    return this.partOf(parentId, ensemble, await build(items.slice(0, shown)), items.length);
  }

  /** The shown part of `total` children, already made (read no further than shown), plus "Load more…" when more remain. */
  partOf(parentId: string, ensemble: string, part: TreeNode[], total: number): TreeNode[] {
    const shown = this.shown(parentId);
    if (total > shown) {
      part.push({ kind: 'loadMore', id: `${parentId}|more`, ensemble, parentId, shown, total });
    }
    return part;
  }
}
