// Registers every command, one module per concern, each through the one error funnel.
import type { CommandDeps } from './common';
import { registerDoctorCommands } from './doctor';
import { registerEnsembleCommands } from './ensembles';
import { registerImportCommands } from './imports';
import { registerJdbcCommands } from './jdbc';
import { registerLockCommands } from './locks';
import { registerSecurityCommands } from './security';
import { registerViewCommands } from './view';
import { registerZnodeCommands } from './znodes';

export type { CommandDeps } from './common';

export function registerCommands(deps: CommandDeps): void {
  registerViewCommands(deps);
  registerEnsembleCommands(deps);
  registerSecurityCommands(deps);
  registerImportCommands(deps);
  registerJdbcCommands(deps);
  registerZnodeCommands(deps);
  registerLockCommands(deps);
  registerDoctorCommands(deps);
}
