import type { EnvConfig } from './types';

/** Development: small Coinlore slice, short retention, schedule on. */
export const env = {
  name: 'dev',
  account: '111111111111',
  region: 'eu-west-1',
  schedule: { enabled: true, rateMinutes: 10 },
  subreddits: ['CryptoCurrency', 'Bitcoin', 'ethereum'],
  coinlore: { pages: 5 },
  reddit: { lookbackMinutes: 15, userAgent: 'aws-lambda:finance-de-lab:0.1.0 (by /u/finance_de_lab)' },
  alertEmail: 'data-alerts-dev@example.com',
  logRetentionDays: 14,
  imageTag: 'bootstrap',
  functions: {
    'extract-coinlore': { memoryMb: 512, timeoutSeconds: 300 },
    'extract-reddit': { memoryMb: 512, timeoutSeconds: 300 },
    transform: { memoryMb: 1024, timeoutSeconds: 120 },
  },
  backfill: {
    maxConcurrency: 10,
    itemsPerBatch: 10,
    toleratedFailurePercentage: 5,
    functions: {
      'backfill-plan': { memoryMb: 512, timeoutSeconds: 300 },
      'backfill-summary': { memoryMb: 512, timeoutSeconds: 120 },
    },
  },
  lake: { rawInfrequentAccessDays: 30, rawExpireDays: 90, rejectsExpireDays: 30 },
  topicSuffix: 'v1',
  github: { repository: 'finance-de-lab/finance-de-lab', environment: 'dev' },
  state: { bucket: 'finance-de-lab-tfstate-111111111111', region: 'eu-west-1' },
  snowflake: {
    organizationName: 'FDLORG',
    accountName: 'FDL_DEV',
    warehouseSize: 'XSMALL',
    warehouseAutoSuspendSeconds: 60,
    dataRetentionDays: 1,
  },
} satisfies EnvConfig;
