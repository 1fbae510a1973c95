/**
 * One `fdl` subcommand. cli/fdl.ts dispatches `fdl <name> …` to the command's `run`, which returns the
 * process exit code. Every command answers `--help` with its `usage`.
 */
import type { Io } from './kit/io';

export interface Command {
  readonly name: string;
  /** One line for `fdl --help`. */
  readonly summary: string;
  /** Full `fdl <name> --help` text: synopsis, flags with defaults, an example. */
  readonly usage: string;
  /** `io` is where results (out) and progress/errors (err) go; default: the process's stdout/stderr. */
  run(argv: readonly string[], io?: Io): Promise<number>;
}

/** What `fdl --help` and `fdl <name> --help` print, without importing the command (see cli/build.mjs). */
export type CommandHelp = Pick<Command, 'name' | 'summary' | 'usage'>;
