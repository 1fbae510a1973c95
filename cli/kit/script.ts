/**
 * The entry of every script under scripts/ (and `npm run costs`, `synth`, `validate`): `--help` prints its
 * usage, a wrong command line prints one line and exits 2, any other failure prints one line (the stack
 * goes to a log file under .local/logs/) and exits 1 — the same contract as `fdl` commands. A ConfigError
 * is printed whole: it lists each bad field of the env file, one per line.
 */
import { ConfigError } from '../../lambdas/core/errors';
import { type FlagSpec, type FlagValues, parseCommandLine, UsageError } from './args';
import { quietAwsSdkNodeVersionWarning } from './aws-sdk';
import { type Io, processIo } from './io';
import { openRunLog } from './run-log';

export interface Script<S extends FlagSpec> {
  /** How the user runs it, for messages: `npm run costs --`, `scripts/deploy-facts.ts`. */
  readonly name: string;
  /** Full `--help` text. */
  readonly usage: string;
  readonly flags: S;
  /** Positional arguments allowed (default none). */
  readonly positionals?: number;
  /** The work; returns the exit code (default 0). */
  main(flags: FlagValues<S>, positionals: string[], io: Io): Promise<number | undefined>;
}

/** Run a script with `argv`; returns the exit code (tests call this, the entry sets process.exitCode). */
export async function runScript<S extends FlagSpec>(
  script: Script<S>,
  argv: readonly string[] = process.argv.slice(2),
  io: Io = processIo,
): Promise<number> {
  quietAwsSdkNodeVersionWarning();
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(script.usage);
    return 0;
  }
  try {
    const { flags, positionals } = parseCommandLine(argv, script.flags, script.positionals ?? 0);
    return (await script.main(flags, positionals, io)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${script.name}: ${err.message} (see ${script.name} --help)`);
      return 2;
    }
    // A config error is written for the user (it names the env file and each bad field, one per line).
    if (err instanceof ConfigError) {
      io.err(`${script.name}: ${err.message}`);
      return 1;
    }
    const e = err as Error;
    const words = script.name.split(/[\s/]+/).filter((w) => w && !w.startsWith('-'));
    const log = openRunLog((words.at(-1) ?? 'script').replace(/\.ts$/, ''));
    log.write(
      JSON.stringify({ time: new Date().toISOString(), level: 'ERROR', message: e.message, stack: e.stack }),
    );
    io.err(`${script.name}: ${e.message?.split('\n')[0] ?? String(err)} (details: ${log.path})`);
    return 1;
  }
}
