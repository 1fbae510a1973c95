/**
 * One Snowflake connection with key-pair (SNOWFLAKE_JWT) auth, as a `query(sql) → rows` function: what the
 * ingestion check needs, for `fdl check-ingestion` (key from the environment) and the scheduled check
 * Lambda (key from Secrets Manager). The key is passed in memory and never logged.
 */
export interface SnowflakeConnectionOptions {
  /** Account identifier `<org>-<account>`. */
  readonly account: string;
  readonly username: string;
  /** PKCS#8 PEM contents, or a path to it. */
  readonly privateKey?: string;
  readonly privateKeyPath?: string;
  /** Passphrase of an encrypted key. */
  readonly privateKeyPass?: string;
  readonly role: string;
  readonly warehouse: string;
  readonly database: string;
}

export interface SnowflakeQuery {
  /** Run one statement and return its rows (column names upper-case, as snowflake-sdk gives them). */
  query(sqlText: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function connectSnowflake(opts: SnowflakeConnectionOptions): Promise<SnowflakeQuery> {
  // Imported lazily: snowflake-sdk is large and only the ingestion check needs it.
  const { default: snowflake } = await import('snowflake-sdk');
  snowflake.configure({ logLevel: 'ERROR' });
  const connection = snowflake.createConnection({
    account: opts.account,
    username: opts.username,
    authenticator: 'SNOWFLAKE_JWT',
    ...(opts.privateKeyPath ? { privateKeyPath: opts.privateKeyPath } : { privateKey: opts.privateKey }),
    ...(opts.privateKeyPass ? { privateKeyPass: opts.privateKeyPass } : {}),
    role: opts.role,
    warehouse: opts.warehouse,
    database: opts.database,
  });
  await connection.connectAsync();
  return {
    query: (sqlText) =>
      new Promise((resolve, reject) => {
        connection.execute({
          sqlText,
          complete: (err, _stmt, rows) =>
            err ? reject(err) : resolve((rows ?? []) as Record<string, unknown>[]),
        });
      }),
    close: () => new Promise((resolve) => connection.destroy(() => resolve())),
  };
}
