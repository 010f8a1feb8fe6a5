// Imported by index.ts after the activation test (which must find the extension not yet active):
// every later test starts from the same state, so any one of them passes alone (HIVEZK_TEST_GREP).
import { eachTestStartsWith } from './harness';
import { fresh } from './helpers';

eachTestStartsWith(fresh);
