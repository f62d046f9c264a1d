import { isQuantity, parseQuantity } from '../util/quantity';
import { K8sObject } from './render';

/** Checks a Deployment the way the API server's validation would. */
export function validateDeploymentChange(
  d: K8sObject,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const containers = d.spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    problems.push({
      field: 'spec.template.spec.containers',
      message: 'Required value',
    });
    return problems;
  }
  if (
    d.spec.replicas !== undefined &&
    (!Number.isInteger(d.spec.replicas) || d.spec.replicas < 0)
  ) {
    problems.push({
      field: 'spec.replicas',
      message: `Invalid value: ${JSON.stringify(
        d.spec.replicas,
      )}: must be greater than or equal to 0`,
    });
  }
  containers.forEach((c: any, i: number) => {
    const at = `spec.template.spec.containers[${i}]`;
    if (!c?.name) {
      problems.push({ field: `${at}.name`, message: 'Required value' });
    }
    if (!c?.image) {
      problems.push({ field: `${at}.image`, message: 'Required value' });
    }
    for (const kind of ['limits', 'requests'] as const) {
      for (const [res, value] of Object.entries(c?.resources?.[kind] ?? {})) {
        if (!isQuantity(value)) {
          problems.push({
            field: `${at}.resources.${kind}[${res}]`,
            message: `Invalid value: "${value}": must be a valid quantity`,
          });
        }
      }
    }
    for (const res of ['memory', 'cpu']) {
      const limit = c?.resources?.limits?.[res];
      const request = c?.resources?.requests?.[res];
      if (
        limit !== undefined &&
        request !== undefined &&
        isQuantity(limit) &&
        isQuantity(request) &&
        parseQuantity(request) > parseQuantity(limit)
      ) {
        problems.push({
          field: `${at}.resources.requests`,
          message: `Invalid value: "${request}": must be less than or equal to ${res} limit of ${limit}`,
        });
      }
    }
  });
  return problems;
}
