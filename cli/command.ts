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
  /**
   * Ctrl-C (SIGINT, SIGTERM) asks this command to stop rather than ending the process: `run`'s `signal`
   * is aborted, and the command finishes the work under way, says how to go on and returns
   * `exitCodeOf(signal)` (cli/kit/interrupts.ts). A second Ctrl-C ends the process at once. Commands
   * without it end at the first Ctrl-C (their work is a rerun away).
   */
  readonly stopsGracefully?: boolean;
  /**
   * `io` is where results (out) and progress/errors (err) go; default: the process's stdout/stderr.
   * `signal` is aborted by the first Ctrl-C, for a command that stopsGracefully.
   */
  run(argv: readonly string[], io?: Io, signal?: AbortSignal): Promise<number>;
}

/** What `fdl --help` and `fdl <name> --help` print, without importing the command (see cli/build.mjs). */
export type CommandHelp = Pick<Command, 'name' | 'summary' | 'usage'>;
