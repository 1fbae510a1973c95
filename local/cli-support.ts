/**
 * Moved to cli/kit/ (args.ts, io.ts, paths.ts, run-log.ts). This re-export keeps commands written against
 * the old path compiling while branches merge; nothing in cli/ imports it. Delete once no import is left.
 * @deprecated import from cli/kit/* instead.
 */
export { type FlagSpec, type FlagValues, parseFlags, UsageError } from '../cli/kit/args';
export { fmtBytes, fmtInt, table } from '../cli/kit/io';
export { DEFAULT_PATHS, LOCAL_DIR } from '../cli/kit/paths';
export { openRunLog, type RunLog, runLog } from '../cli/kit/run-log';
