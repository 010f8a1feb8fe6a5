// Entry point loaded by VS Code through extensionTestsPath: the standard run(): Promise<void>.
import { runRegistered } from './harness';
import './extension.test';
import './imports.test';

export async function run(): Promise<void> {
  const { failed } = await runRegistered();
  if (failed > 0) {
    throw new Error(`${failed} extension test(s) failed`);
  }
}
