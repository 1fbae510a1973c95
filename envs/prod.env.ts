import type { EnvConfig } from './types';

/** Production: the whole Coinlore universe (~150 pages), longer retention, schedule on. */
export const env = {
  name: 'prod',
  account: '222222222222',
  region: 'eu-west-1',
  schedule: { enabled: true, rateMinutes: 10 },
  subreddits: ['CryptoCurrency', 'Bitcoin', 'ethereum', 'solana', 'CryptoMarkets'],
  coinlore: { pages: 150 },
  reddit: { lookbackMinutes: 15, userAgent: 'aws-lambda:finance-de-lab:0.1.0 (by /u/finance_de_lab)' },
  alertEmail: 'data-alerts@example.com',
  logRetentionDays: 90,
  imageTag: 'bootstrap',
  functions: {
    'extract-coinlore': { memoryMb: 512, timeoutSeconds: 600 },
    'extract-reddit': { memoryMb: 512, timeoutSeconds: 300 },
    transform: { memoryMb: 1536, timeoutSeconds: 180 },
  },
  backfill: {
    maxConcurrency: 100,
    itemsPerBatch: 10,
    toleratedFailurePercentage: 1,
    functions: {
      'backfill-plan': { memoryMb: 512, timeoutSeconds: 300 },
      'backfill-summary': { memoryMb: 512, timeoutSeconds: 120 },
    },
  },
  lake: { rawInfrequentAccessDays: 30, rawExpireDays: 365, rejectsExpireDays: 90 },
  topicSuffix: 'v1',
  github: { repository: 'finance-de-lab/finance-de-lab', environment: 'prod' },
  state: { bucket: 'finance-de-lab-tfstate-222222222222', region: 'eu-west-1' },
  snowflake: {
    organizationName: 'FDLORG',
    accountName: 'FDL_PROD',
    warehouseSize: 'XSMALL',
    warehouseAutoSuspendSeconds: 60,
    dataRetentionDays: 7,
  },
} satisfies EnvConfig;
