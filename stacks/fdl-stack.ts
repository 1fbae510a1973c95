/**
 * Base of every stack of the project: Terraform addresses come from `terraformName` (stacks/naming.ts)
 * instead of CDKTF's hashed ids, and two elements that would get the same address fail synth naming both
 * construct paths (Terraform JSON would otherwise silently keep only one of them).
 */
import { TerraformDataSource, type TerraformElement, TerraformResource, TerraformStack } from 'cdktf';
import type { Node } from 'constructs';
import { terraformName } from './naming';

export abstract class FdlStack extends TerraformStack {
  private readonly addresses = new Map<string, string>();

  protected override allocateLogicalId(element: TerraformElement | Node): string {
    const node = 'node' in element ? element.node : element;
    const path = node.scopes.slice(node.scopes.indexOf(this) + 1).map((s) => s.node.id);
    // Resources and data sources are addressed per type; other elements (outputs, …) per class.
    const type =
      element instanceof TerraformResource || element instanceof TerraformDataSource
        ? element.terraformResourceType
        : '';
    const name = terraformName(path, type);
    const kind =
      element instanceof TerraformDataSource
        ? `data.${type}`
        : type || (element as { constructor: { name: string } }).constructor.name;
    const address = `${kind}.${name}`;
    const owner = this.addresses.get(address);
    const where = path.join('/');
    if (owner !== undefined && owner !== where)
      throw new Error(`${this.node.id}: "${owner}" and "${where}" would both be ${address}: rename one`);
    this.addresses.set(address, where);
    return name;
  }
}
