import { NamespaceOwnerRule } from '../../config/readObservabilityIrConfig';

/**
 * Which owners may claim which Kubernetes namespaces, from
 * `observabilityIr.namespaceOwners`. Without any rule every claim stands,
 * as the catalog alone decides.
 */
export class NamespaceOwnership {
  constructor(private readonly rules: NamespaceOwnerRule[]) {}

  /** Whether any rule is configured; without one, no claim is checked. */
  get configured(): boolean {
    return this.rules.length > 0;
  }

  /**
   * Why `owner` may not claim `namespace` in `cluster`, or undefined when
   * it may (or when nothing is configured).
   */
  refusal(
    owner: string | undefined,
    cluster: string,
    namespace: string,
  ): string | undefined {
    if (!this.configured) {
      return undefined;
    }
    const rules = this.rules.filter(
      rule =>
        rule.namespace === namespace &&
        (rule.cluster === '*' || rule.cluster === cluster),
    );
    if (rules.length === 0) {
      return `namespace ${namespace} of cluster ${cluster} is not given to any owner in observabilityIr.namespaceOwners`;
    }
    if (!owner || !rules.some(rule => rule.owners.includes(owner))) {
      return `namespace ${namespace} of cluster ${cluster} belongs to other owners than ${
        owner ?? 'an entity without owner'
      } (observabilityIr.namespaceOwners)`;
    }
    return undefined;
  }
}
