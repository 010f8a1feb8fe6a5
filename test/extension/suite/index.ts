// Entry point loaded by VS Code through extensionTestsPath: the standard run(): Promise<void>.
// Activation goes first (it measures activation); every later test starts from fixture.ts's state.
import { runRegistered } from './harness';
import './activation.test';
import './fixture';
import './tree.test';
import './commands.test';
import './liveUpdates.test';
import './viewSync.test';
import './treeState.test';
import './connection.test';
import './conveniences.test';
import './secrets.test';
import './identities.test';
import './secure.test';
import './imports.test';
import './health.test';
import './untrusted.test';
import './registries.test';
import './wizard.test';
import './doctor.test';
import './lockActivity.test';
import './liveLocks.test';

export async function run(): Promise<void> {
  const { failed } = await runRegistered();
  if (failed > 0) {
    throw new Error(`${failed} extension test(s) failed`);
  }
}
