/**
 * `fdl`: the project CLI. Dispatches `fdl <command> …` to a Command (cli/command.ts). Commands load
 * lazily so `fdl run` never pays for the Snowflake SDK that `check-ingestion` needs, and `--help` loads
 * none when the build (cli/build.mjs) has recorded every command's help text.
 *
 * Exit codes: 0 ok, 1 runtime failure (one clear line + the log path), 2 usage error (one line naming the
 * problem and pointing at `--help`: a wall of usage text buries the one thing that was wrong), 130 when
 * interrupted (Ctrl-C), as shells report a SIGINT death.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Command, CommandHelp } from './command';
import { oneLine, UsageError } from './kit/args';
import { quietAwsSdkNodeVersionWarning } from './kit/aws-sdk';
import { processInterrupts } from './kit/interrupts';
import { type Io, processIo } from './kit/io';
import { openRunLog } from './kit/run-log';

export type { Io } from './kit/io';

/** Every command, in `fdl --help` order. */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./run')).runCommand,
  reprocess: async () => (await import('./reprocess-command')).reprocessCommand,
  load: async () => (await import('./load')).loadCommand,
  dashboard: async () => (await import('./dashboard')).dashboardCommand,
  status: async () => (await import('./status')).statusCommand,
  'check-ingestion': async () => (await import('./check-ingestion')).checkIngestionCommand,
  backfill: async () => (await import('./backfill')).backfillCommand,
  preflight: async () => (await import('./preflight')).preflightCommand,
  'snowflake-bootstrap': async () => (await import('./snowflake-bootstrap')).snowflakeBootstrapCommand,
  tableau: async () => (await import('./tableau')).tableauCommand,
};

/** Every command's help, loading each module (the build records this so `--help` need not). */
export async function commandHelp(): Promise<CommandHelp[]> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return commands.map(({ name, summary, usage }) => ({ name, summary, usage }));
}

function mainUsage(commands: readonly CommandHelp[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'fdl: the finance-de-lab pipeline, locally (and a few cloud checks).',
    '',
    'Usage: fdl <command> [flags]      fdl help <command>      fdl --version',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Start with `npm start` (= fdl run --source auto): runs the pipeline offline to a dashboard.',
  ].join('\n');
}

/** The package version (package.json beside cli/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export interface MainOptions {
  /** Help recorded by the build; when a command is missing from it, the command module is loaded. */
  readonly help?: readonly CommandHelp[];
  /**
   * The process's Ctrl-C, for a command that stops gracefully (Command.stopsGracefully): `main` calls
   * `graceful` with the command's name before running it, then passes `signal` to it.
   */
  readonly interrupt?: { readonly signal: AbortSignal; graceful(name: string): void };
}

/** Run `fdl` with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: readonly string[],
  io: Io = processIo,
  opts: MainOptions = {},
): Promise<number> {
  const [name, ...rest] = argv;
  const helpOf = async (n: string): Promise<CommandHelp | undefined> =>
    opts.help?.find((h) => h.name === n) ?? (await COMMANDS[n]?.());
  const allHelp = async () =>
    opts.help && Object.keys(COMMANDS).every((n) => opts.help!.some((h) => h.name === n))
      ? Object.keys(COMMANDS).map((n) => opts.help!.find((h) => h.name === n)!)
      : commandHelp();
  if (name === '--version' || name === '-v') {
    io.out(version());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    (name === undefined ? io.err : io.out)(mainUsage(await allHelp()));
    return name === undefined ? 2 : 0;
  }
  const target = name === 'help' ? rest[0]! : name;
  if (!Object.hasOwn(COMMANDS, target)) {
    io.err(`fdl: unknown command "${target}" (\`fdl --help\` lists the commands)`);
    return 2;
  }
  if (name === 'help' || rest.includes('--help') || rest.includes('-h')) {
    io.out((await helpOf(target))!.usage);
    return 0;
  }
  const command = await COMMANDS[name]!();
  const log = openRunLog(name);
  if (command.stopsGracefully) opts.interrupt?.graceful(name);
  try {
    return await command.run(rest, io, command.stopsGracefully ? opts.interrupt?.signal : undefined);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`fdl ${name}: ${oneLine(err.message)} (see \`fdl ${name} --help\`)`);
      return 2;
    }
    const e = err as Error;
    log.write(
      JSON.stringify({ time: new Date().toISOString(), level: 'ERROR', message: e.message, stack: e.stack }),
    );
    io.err(`fdl ${name}: ${oneLine(e.message?.split('\n')[0] ?? String(err))} (details: ${log.path})`);
    return 1;
  }
}

/**
 * The process entry (bin/fdl.mjs, or `tsx cli/fdl.ts`): run `main` in this process (no child to orphan),
 * set the exit code, and answer Ctrl-C with one line and 130 instead of a stack trace; a command that
 * stops gracefully is asked to stop first (cli/kit/interrupts.ts).
 */
export async function runAsProcess(argv: readonly string[], opts: MainOptions = {}): Promise<void> {
  quietAwsSdkNodeVersionWarning();
  const signals = processInterrupts(argv, (t) => process.stderr.write(t), process.exit);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => signals.onSignal(signal));
  try {
    process.exitCode = await main(argv, processIo, { ...opts, interrupt: signals.interrupt });
  } catch (err) {
    process.stderr.write(`fdl: ${(err as Error).message ?? String(err)}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runAsProcess(process.argv.slice(2));
