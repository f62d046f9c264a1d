import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Set the memory limit and request of a Deployment’s container in its cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'observability:memory-limit:apply',
          name: 'Apply the memory limit',
          input: {
            entityRef: 'component:default/checkout-api',
            cluster: 'production',
            namespace: 'shop',
            workloadKind: 'Deployment',
            workloadName: 'checkout-api',
            container: 'api',
            limit: '1Gi',
            request: '768Mi',
          },
        },
      ],
    }),
  },
  {
    description: 'Ask the cluster to validate the change without keeping it',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'observability:memory-limit:apply',
          name: 'Check the memory limit',
          input: {
            entityRef: 'component:default/checkout-api',
            cluster: 'production',
            namespace: 'shop',
            workloadKind: 'StatefulSet',
            workloadName: 'checkout-db',
            container: 'postgres',
            limit: '2Gi',
            dryRun: true,
          },
        },
      ],
    }),
  },
];
