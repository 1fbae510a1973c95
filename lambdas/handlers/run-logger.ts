/**
 * Structured logging with the run id on every line: wraps any PipelineLogger (Powertools in AWS, the
 * local twin's logger, a capturing one in tests) so core code never has to remember to pass it.
 */
import type { PipelineLogger } from '../deps';

export function withRunContext(
  logger: PipelineLogger,
  fields: Readonly<Record<string, unknown>>,
): PipelineLogger {
  const merge = (extra?: Record<string, unknown>) => ({ ...fields, ...extra });
  return {
    debug: (m, e) => logger.debug(m, merge(e)),
    info: (m, e) => logger.info(m, merge(e)),
    warn: (m, e) => logger.warn(m, merge(e)),
    error: (m, e) => logger.error(m, merge(e)),
  };
}
