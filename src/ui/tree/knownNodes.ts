// The nodes the tree has handed out, by id, with their parents: what getParent, reveal and
// refresh-by-id need. Re-listing a parent forgets the children that went away and all below them.
import type { TreeNode } from './nodes';

const ROOT = '';

export class KnownNodes {
  private readonly nodes = new Map<string, TreeNode>();
  private readonly parents = new Map<string, string | undefined>();
  /** Parent id → its children's ids as last listed. */
  private readonly childIds = new Map<string, string[]>();

  constructor(private readonly onForget: (id: string) => void) {}

  get(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  /** The id of the node's parent ('' under the root), undefined if the node is not known. */
  parentIdOf(id: string): string | undefined {
    return this.nodes.has(id) ? (this.parents.get(id) ?? ROOT) : undefined;
  }

  parentOf(node: TreeNode): TreeNode | undefined {
    const parentId = this.parents.get(node.id);
    return parentId === undefined ? undefined : this.nodes.get(parentId);
  }

  /** Records a listing of `parent` (undefined: the root). */
  listed(parent: TreeNode | undefined, children: readonly TreeNode[]): void {
    const parentId = parent?.id ?? ROOT;
    const keep = new Set(children.map((c) => c.id));
    for (const id of this.childIds.get(parentId) ?? []) {
      if (!keep.has(id)) {
        this.forget(id);
      }
    }
    for (const child of children) {
      this.nodes.set(child.id, child);
      this.parents.set(child.id, parent?.id);
    }
    this.childIds.set(parentId, [...keep]);
  }

  /** How many nodes are remembered (for tests: the maps do not grow without bound). */
  get size(): number {
    return this.nodes.size;
  }

  private forget(id: string): void {
    for (const child of this.childIds.get(id) ?? []) {
      this.forget(child);
    }
    this.childIds.delete(id);
    this.nodes.delete(id);
    this.parents.delete(id);
    this.onForget(id);
  }
}
