// Worker-thread entry of `fdl reprocess` (see cli/reprocess.ts). Plain JavaScript on purpose: a worker
// does not inherit every parent's TypeScript loader (vitest's, for one), so it registers tsx itself and
// then loads the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./reprocess-worker.ts');
