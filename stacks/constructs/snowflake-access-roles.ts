import { AccountRole } from '@cdktf/provider-snowflake/lib/account-role';
import { GrantAccountRole } from '@cdktf/provider-snowflake/lib/grant-account-role';
import {
  GrantPrivilegesToAccountRole,
  type GrantPrivilegesToAccountRoleConfig,
} from '@cdktf/provider-snowflake/lib/grant-privileges-to-account-role';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { ResourceGroup } from '../fdl-stack';
import type { Naming } from '../naming';

export interface SnowflakeAccessRolesProps {
  readonly naming: Naming;
  /** Database name (token). */
  readonly database: string;
  /** Warehouse name (token). */
  readonly warehouse: string;
  /** Fully qualified RAW and EXPOSED schema names. */
  readonly rawSchema: string;
  readonly exposedSchema: string;
}

/**
 * Objects are owned by the deployer (Terraform must keep managing them); the loader gets what running
 * ingestion needs: SELECT/INSERT on RAW tables (backfills with COPY), USAGE on stages and the file
 * format, MONITOR (SYSTEM$PIPE_STATUS) and OPERATE (pause/resume, ALTER PIPE … REFRESH) on pipes.
 */
const LOADER_OBJECT_GRANTS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['tables', 'TABLES', ['SELECT', 'INSERT']],
  ['stages', 'STAGES', ['USAGE']],
  ['file_formats', 'FILE FORMATS', ['USAGE']],
  ['pipes', 'PIPES', ['MONITOR', 'OPERATE']],
];

/**
 * The two access roles and their grants: LOADER operates ingestion on RAW, READER reads EXPOSED (BI).
 * Future grants cover objects created later; `grantOnExisting` covers the objects this stack creates,
 * once they exist.
 */
export class SnowflakeAccessRoles extends ResourceGroup {
  readonly loader: AccountRole;
  readonly reader: AccountRole;
  private readonly props: SnowflakeAccessRolesProps;

  constructor(scope: Construct, id: string, props: SnowflakeAccessRolesProps) {
    super(scope, id);
    this.props = props;
    const { naming } = props;
    this.loader = new AccountRole(this, 'loader', {
      name: naming.snowflake('loader'),
      comment: 'Operates ingestion: reads and loads RAW, monitors and refreshes the pipes.',
    });
    this.reader = new AccountRole(this, 'reader', {
      name: naming.snowflake('reader'),
      comment: 'BI: read-only on EXPOSED (current and future views). Nothing on RAW.',
    });
    const { loader, reader } = this;
    // Custom roles roll up to SYSADMIN (Snowflake's recommended hierarchy), so admins see what they own.
    for (const [key, role] of [
      ['loader', loader],
      ['reader', reader],
    ] as const)
      new GrantAccountRole(this, `${key}_to_sysadmin`, { roleName: role.name, parentRoleName: 'SYSADMIN' });

    const onDatabase = { objectType: 'DATABASE', objectName: props.database };
    const onWarehouse = { objectType: 'WAREHOUSE', objectName: props.warehouse };

    this.grant('reader_database', {
      accountRoleName: reader.name,
      privileges: ['USAGE'],
      onAccountObject: onDatabase,
    });
    this.grant('reader_warehouse', {
      accountRoleName: reader.name,
      privileges: ['USAGE'],
      onAccountObject: onWarehouse,
    });
    this.grant('reader_exposed', {
      accountRoleName: reader.name,
      privileges: ['USAGE'],
      onSchema: { schemaName: props.exposedSchema },
    });
    this.grant('reader_future_views', {
      accountRoleName: reader.name,
      privileges: ['SELECT'],
      onSchemaObject: { future: { objectTypePlural: 'VIEWS', inSchema: props.exposedSchema } },
    });

    this.grant('loader_database', {
      accountRoleName: loader.name,
      privileges: ['USAGE'],
      onAccountObject: onDatabase,
    });
    this.grant('loader_warehouse', {
      accountRoleName: loader.name,
      privileges: ['USAGE'],
      onAccountObject: onWarehouse,
    });
    this.grant('loader_raw', {
      accountRoleName: loader.name,
      privileges: ['USAGE'],
      onSchema: { schemaName: props.rawSchema },
    });
    for (const [key, plural, privileges] of LOADER_OBJECT_GRANTS)
      this.grant(`loader_future_${key}`, {
        accountRoleName: loader.name,
        privileges: [...privileges],
        onSchemaObject: { future: { objectTypePlural: plural, inSchema: props.rawSchema } },
      });
  }

  /**
   * Grants on the objects that already exist when the future grants are created (future grants cover
   * only later ones): SELECT on every EXPOSED view for the reader, the loader's privileges on RAW.
   */
  grantOnExisting(views: readonly ITerraformDependable[], rawObjects: readonly ITerraformDependable[]): void {
    this.grant('reader_views', {
      accountRoleName: this.reader.name,
      privileges: ['SELECT'],
      onSchemaObject: { all: { objectTypePlural: 'VIEWS', inSchema: this.props.exposedSchema } },
      dependsOn: [...views],
    });
    for (const [key, plural, privileges] of LOADER_OBJECT_GRANTS)
      this.grant(`loader_all_${key}`, {
        accountRoleName: this.loader.name,
        privileges: [...privileges],
        onSchemaObject: { all: { objectTypePlural: plural, inSchema: this.props.rawSchema } },
        dependsOn: [...rawObjects],
      });
  }

  private grant(grantId: string, config: GrantPrivilegesToAccountRoleConfig): GrantPrivilegesToAccountRole {
    return new GrantPrivilegesToAccountRole(this, grantId, config);
  }
}
