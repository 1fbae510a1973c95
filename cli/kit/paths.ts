/** Where `fdl` keeps local state by default (git-ignored); every path has a flag to override it. */
import { join } from 'node:path';

/** Local state lives here by default. */
export const LOCAL_DIR = '.local';

export const DEFAULT_PATHS = {
  lake: join(LOCAL_DIR, 'lake'),
  warehouse: join(LOCAL_DIR, 'warehouse.duckdb'),
  dashboard: join(LOCAL_DIR, 'dashboard', 'index.html'),
  alerts: join(LOCAL_DIR, 'alerts.jsonl'),
  logs: join(LOCAL_DIR, 'logs'),
} as const;
