/**
 * The per-invocation log file: handler logs and error details go there, so the terminal stays readable
 * and a one-line error can point at the details.
 */
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureDirSync } from '../../lambdas/adapters/ensure-dir';
import type { PipelineLogger } from '../../lambdas/deps';
import { DEFAULT_PATHS } from './paths';

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
      ensureDirSync(dir);
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
