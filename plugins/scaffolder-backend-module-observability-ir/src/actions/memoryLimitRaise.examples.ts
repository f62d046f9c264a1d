import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Raise the memory limit of a Deployment’s container in a manifest fetched into the workspace',
    example: yaml.stringify({
      steps: [
        {
          id: 'raise',
          action: 'observability:memory-limit:raise',
          name: 'Raise the memory limit',
          input: {
            path: 'deploy/checkout-api.yaml',
            workloadKind: 'Deployment',
            workloadName: 'checkout-api',
            container: 'api',
            limit: '1Gi',
          },
        },
      ],
    }),
  },
  {
    description:
      'Take the limit the diagnosis proposes, raise the request with it, and record the proposal on the incident',
    example: yaml.stringify({
      steps: [
        {
          id: 'raise',
          action: 'observability:memory-limit:raise',
          name: 'Raise the memory limit the diagnosis proposes',
          input: {
            path: 'overlays/production/kustomization.yaml',
            workloadName: 'checkout-api',
            container: 'api',
            entityRef: 'component:default/checkout-api',
            raiseRequest: true,
          },
        },
      ],
    }),
  },
  {
    description: 'Raise a limit in a Helm values file, as a dry run',
    example: yaml.stringify({
      steps: [
        {
          id: 'raise',
          action: 'observability:memory-limit:raise',
          name: 'Show the change to the Helm values',
          input: {
            path: 'charts/shop/values.yaml',
            valuesPath: 'checkoutApi.resources.limits.memory',
            workloadName: 'checkout-api',
            container: 'api',
            limit: '1.5Gi',
            dryRun: true,
          },
        },
      ],
    }),
  },
];
