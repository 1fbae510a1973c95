/**
 * One `fdl` subcommand. cli/fdl.ts dispatches `fdl <name> …` to the command's `run`, which returns the
 * process exit code. Every command answers `--help` with its `usage`.
 */
export interface Command {
  readonly name: string;
  /** One line for `fdl --help`. */
  readonly summary: string;
  /** Full `fdl <name> --help` text: synopsis, flags with defaults, an example. */
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}
