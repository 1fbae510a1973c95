/**
 * What every `fdl` command shares: flag parsing with clear usage errors, default paths under `.local/`,
 * and the per-invocation log file (handler logs and error details go there, the terminal stays readable).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PipelineLogger } from '../lambdas/deps';

/**
 * A message as one terminal line: control characters (a newline in a flag name, an escape sequence in a
 * value) are shown escaped, so a hostile command line cannot split or repaint the error it causes.
 */
export function oneLine(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** A wrong command line: the dispatcher prints the message and a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, options?: ErrorOptions) {
    super(oneLine(message), options);
  }
}

/** Local state lives here by default (git-ignored). */
export const LOCAL_DIR = '.local';

export const DEFAULT_PATHS = {
  lake: join(LOCAL_DIR, 'lake'),
  warehouse: join(LOCAL_DIR, 'warehouse.duckdb'),
  dashboard: join(LOCAL_DIR, 'dashboard', 'index.html'),
  alerts: join(LOCAL_DIR, 'alerts.jsonl'),
  logs: join(LOCAL_DIR, 'logs'),
} as const;

export type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'number' | 'boolean' }>>;
export type FlagValues<S extends FlagSpec> = {
  -readonly [K in keyof S]?: S[K]['type'] extends 'number'
    ? number
    : S[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

/**
 * Parse `--name value` / `--name=value` / `--flag` (booleans). Unknown flags, missing values and
 * positional arguments throw UsageError. `--help` is handled by the dispatcher before this runs.
 */
export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): FlagValues<S> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const def = spec[name];
    if (!def) throw new UsageError(`unknown flag --${name}`);
    if (def.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    if (def.type === 'number') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
      out[name] = n;
    } else out[name] = value;
  }
  return out as FlagValues<S>;
}

/** The log file of this invocation; the dispatcher opens it, commands write to it. */
export interface RunLog {
  readonly path: string;
  readonly logger: PipelineLogger;
  write(line: string): void;
}

let current: RunLog | undefined;

/** Open `.local/logs/<command>-<time>.log` (or under `dir`) and make it the current log. */
export function openRunLog(command: string, dir = DEFAULT_PATHS.logs): RunLog {
  const stampText = new Date().toISOString().replace(/[:.]/g, '-');
  const path = resolve(dir, `${command}-${stampText}.log`);
  let created = false;
  const write = (line: string) => {
    if (!created) {
      mkdirSync(dir, { recursive: true });
      created = true;
    }
    appendFileSync(path, `${line}\n`);
  };
  const entry = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, message, ...extra }));
  current = {
    path,
    logger: { debug: entry('DEBUG'), info: entry('INFO'), warn: entry('WARN'), error: entry('ERROR') },
    write,
  };
  return current;
}

/** The current invocation's log (a fresh one when a command runs outside the dispatcher, e.g. in tests). */
export function runLog(command: string): RunLog {
  return current ?? openRunLog(command);
}

/** Right-pad table cells. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const fmtInt = (n: number) => n.toLocaleString('en-US');
export const fmtBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
