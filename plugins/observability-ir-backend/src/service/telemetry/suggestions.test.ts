import YAML from 'yaml';
import { suggestServiceMonitor, toYaml } from './suggestions';

describe('suggestServiceMonitor', () => {
  it('writes YAML that reads back as the same ServiceMonitor, whatever the label values', () => {
    const labels = {
      app: 'auth',
      'app.kubernetes.io/version': '1.10',
      enabled: 'true',
      'team.example.com/owner': 'a "quoted": value # not a comment',
      port: '8080',
    };
    const text = suggestServiceMonitor(
      {
        metadata: { name: 'auth-service', namespace: 'identity', labels },
        spec: {
          ports: [
            { name: 'http', port: 80 },
            { name: 'prom-metrics', port: 9102 },
          ],
        },
      },
      [
        { metadata: { labels: { release: 'kps', team: 'a' } } },
        { metadata: { labels: { release: 'kps', team: 'b' } } },
      ],
    );
    expect(YAML.parse(text!)).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: 'auth-service',
        namespace: 'identity',
        labels: { release: 'kps' },
      },
      spec: {
        selector: { matchLabels: labels },
        namespaceSelector: { matchNames: ['identity'] },
        endpoints: [
          { port: 'prom-metrics', interval: '30s', path: '/metrics' },
        ],
      },
    });
  });

  it('suggests none for a Service without a named metrics port or labels', () => {
    const service = (labels: Record<string, string>, port?: string) => ({
      metadata: { name: 's', namespace: 'n', labels },
      spec: { ports: [{ name: port, port: 80 }] },
    });
    expect(
      suggestServiceMonitor(service({ app: 's' }, 'http'), []),
    ).toBeUndefined();
    expect(suggestServiceMonitor(service({ app: 's' }), [])).toBeUndefined();
    expect(suggestServiceMonitor(service({}, 'metrics'), [])).toBeUndefined();
  });

  it('writes nested lists of mappings', () => {
    const value = { a: [{ b: 'c', d: ['e', 'no'] }], f: 'x' };
    expect(YAML.parse(toYaml(value))).toEqual(value);
  });
});
