// Entry point for the untrusted-workspace run (its own code-server, workspace trust on): only the
// workspace-trust tests, which need a window whose folder was never trusted.
import { runRegistered } from './harness';
import './workspaceTrust.test';

export async function run(): Promise<void> {
  const { failed } = await runRegistered();
  if (failed > 0) {
    throw new Error(`${failed} extension test(s) failed`);
  }
}
