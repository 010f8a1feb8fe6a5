// Who the session is, in the real extension host: an unreadable namespace says "not readable" (never
// "0 instances") and expanding it names the session's identity; the ensemble tooltip names it too.
import * as assert from 'node:assert/strict';
import { ZkSession } from '../../../src/core/zk/session';
import { test } from './harness';
import { api, description, find, kids, label, onlySandbox, path, setSetting, SANDBOX_ZK } from './helpers';

test('an unreadable namespace is "not readable", its row names who this session is, and so does the ensemble tooltip', async () => {
  const owner = new ZkSession({ connectString: SANDBOX_ZK, digest: 'ops:closed-ns-pw' });
  try {
    await owner.create('/closed-hs2', Buffer.alloc(0), 'persistent', 'creatorOnly');
    await setSetting('ensembles', [{ name: 'sandbox', connectString: SANDBOX_ZK, hs2Namespaces: ['hiveserver2', 'closed-hs2'] }]);
    api().tree.refresh();
    const closed = await find(await path('sandbox', 'HiveServer2'), 'closed-hs2');
    assert.equal(description(closed), 'not readable');
    const [row] = await kids(closed);
    assert.ok(row);
    assert.equal(row.kind, 'message');
    assert.match(label(row), /^Not authorized to read \/closed-hs2: this session has no credential \(ZooKeeper knows it only as ip:127\.0\.0\.1\)/);
    assert.doesNotMatch(label(row), /closed-ns-pw/);

    const ensemble = await find(undefined, 'sandbox');
    // VS Code resolves on hover only what getTreeItem left undefined.
    assert.equal(api().tree.getTreeItem(ensemble).tooltip, undefined);
    const item = await api().tree.resolveTreeItem(api().tree.getTreeItem(ensemble), ensemble);
    assert.match(typeof item.tooltip === 'string' ? item.tooltip : '', /authenticated as: ip:127\.0\.0\.1 \(anonymous\), as ZooKeeper reports it \(whoAmI\)/);
  } finally {
    await owner.remove('/closed-hs2').catch(() => undefined);
    owner.close();
    await onlySandbox();
  }
});
