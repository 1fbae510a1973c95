import { View } from '@cdktf/provider-snowflake/lib/view';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { exposedViews, snowflakeViewStatement } from '../../sql/views';
import { ResourceGroup } from '../fdl-stack';
import type { Naming } from '../naming';

export interface ExposedViewsProps {
  readonly naming: Naming;
  /** Database name (token) and EXPOSED schema name. */
  readonly database: string;
  readonly schema: string;
  /** The RAW tables: the statements name them by text (<DB>.RAW.<TABLE>), so the views wait for them. */
  readonly tables: readonly ITerraformDependable[];
}

/**
 * The EXPOSED views from sql/exposed/. A view that reads another EXPOSED view depends on it: Snowflake
 * rejects a view over a missing object.
 */
export class ExposedViews extends ResourceGroup {
  readonly views: readonly View[];

  constructor(scope: Construct, id: string, props: ExposedViewsProps) {
    super(scope, id);
    const viewsByName = new Map<string, View>();
    this.views = exposedViews().map((view) => {
      const created = new View(this, `${props.naming.id(view.name)}_view`, {
        database: props.database,
        schema: props.schema,
        name: view.name.toUpperCase(),
        // Every warehouse name qualified with this env's database: a deploy must not depend on the
        // session's current database (sql/views.ts).
        statement: snowflakeViewStatement(view, props.naming.snowflakeDatabase()),
        comment: view.grain,
        copyGrants: true,
        dependsOn: [...props.tables, ...view.reads.map((r) => viewsByName.get(r)!)],
      });
      viewsByName.set(view.name, created);
      return created;
    });
  }
}
