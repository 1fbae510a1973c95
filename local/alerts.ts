/**
 * The twin's alerts log: one JSON line per alert in `.local/alerts.jsonl`, the local stand-in for the
 * alerts SNS topic (the state machine's failure alerts and the local Snowpipe's load errors).
 */
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDirSync } from '../lambdas/adapters/ensure-dir';

/** One alert as the log stores it (the fields an SNS Publish carries). */
export interface AlertLine {
  readonly at: string;
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
}

/** Append one alert to the log, creating its folder. */
export function appendAlert(path: string, alert: AlertLine): void {
  ensureDirSync(dirname(path));
  appendFileSync(path, `${JSON.stringify(alert)}\n`);
}
