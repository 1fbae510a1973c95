/**
 * Base of every stack of the project: Terraform addresses come from `terraformName` (stacks/naming.ts)
 * instead of CDKTF's hashed ids, and two elements that would get the same address fail synth naming both
 * construct paths (Terraform JSON would otherwise silently keep only one of them).
 */
import { TerraformDataSource, type TerraformElement, TerraformResource, TerraformStack } from 'cdktf';
import { Construct, type Node } from 'constructs';
import { terraformName } from './naming';

export abstract class FdlStack extends TerraformStack {
  private readonly addresses = new Map<string, string>();

  protected override allocateLogicalId(element: TerraformElement | Node): string {
    const node = 'node' in element ? element.node : element;
    const path = node.scopes
      .slice(node.scopes.indexOf(this) + 1)
      .filter((s) => !(s instanceof ResourceGroup))
      .map((s) => s.node.id);
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

/**
 * A construct that groups resources without adding its id to their Terraform addresses: its children are
 * addressed as if they were created directly in the stack. For splitting a stack whose resources already
 * exist into constructs: a new address is a destroy + create for Terraform (for a pipe, a deleted SNS
 * subscription), so the split must not move any. Two children that would collide still fail synth above.
 */
export class ResourceGroup extends Construct {}
