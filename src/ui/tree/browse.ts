// The Browse section: the raw znodes under "/", sorted, with only the shown page stat'ed.
import { childPath } from '../../core/zk/znodePath';
import type { ZkSession } from '../../core/zk/session';
import { rawZnodeId, type TreeNode } from './nodes';
import type { Paging } from './paging';

/** The children of a raw znode (or of "/" for the section itself) as znode rows, paged. */
export async function znodeChildren(session: ZkSession, paging: Paging, ensemble: string, path: string, parentId: string): Promise<TreeNode[]> {
  const { children } = await session.getChildren(path);
  children.sort();
  return paging.pageOf(parentId, ensemble, children, async (visible) => {
    // Only the visible page is stat'ed, all at once on the shared session.
    const stats = await Promise.all(visible.map((child) => session.exists(childPath(path, child)).catch(() => undefined)));
    return visible.map((child, i) => ({
      kind: 'znode',
      id: rawZnodeId(ensemble, childPath(path, child)),
      ensemble,
      path: childPath(path, child),
      numChildren: stats[i]?.numChildren ?? 0,
    }));
  });
}
