/**
 * `fdl`: the project CLI. Dispatches `fdl <command> …` to a Command (cli/command.ts). Commands load
 * lazily so `fdl run` never pays for the Snowflake SDK that `check-ingestion` needs.
 *
 * Exit codes: 0 ok, 1 runtime failure (one clear line + the log path), 2 usage error (one line naming the
 * problem and pointing at `--help`: a wall of usage text buries the one thing that was wrong).
 */
import { pathToFileURL } from 'node:url';
import { oneLine, openRunLog, UsageError } from '../local/cli-support';
import type { Command } from './command';

/** Every command, in `fdl --help` order. */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./run')).runCommand,
  reprocess: async () => (await import('./reprocess')).reprocessCommand,
  load: async () => (await import('./load')).loadCommand,
  dashboard: async () => (await import('./dashboard')).dashboardCommand,
  status: async () => (await import('./status')).statusCommand,
  'check-ingestion': async () => (await import('./check-ingestion')).checkIngestionCommand,
};

async function mainUsage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'fdl: the finance-de-lab pipeline, locally (and a few cloud checks).',
    '',
    'Usage: fdl <command> [flags]      fdl <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Start with `npm start` (= fdl run --source auto): runs the pipeline offline to a dashboard.',
  ].join('\n');
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Run `fdl` with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(await mainUsage());
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`fdl: unknown command "${name}" (\`fdl --help\` lists the commands)`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  const log = openRunLog(name);
  try {
    return await command.run(rest);
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`fdl: ${(err as Error).message ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
