import { behaviorSchema, ContainerSpec } from '../scenario/schema';
import { ContainerModel, resolveProbePort } from './containerModel';

const ports = [{ name: 'http', containerPort: 8080 }];

describe('resolveProbePort', () => {
  it('resolves a probe port as the kubelet does', () => {
    expect(resolveProbePort(ports, 9090)).toEqual({ port: 9090 });
    expect(resolveProbePort(ports, 'http')).toEqual({ port: 8080 });
    // A string of digits that names no port is a number.
    expect(resolveProbePort(ports, '8080')).toEqual({ port: 8080 });
    expect(resolveProbePort(ports, 'metrics')).toEqual({
      error: 'strconv.Atoi: parsing "metrics": invalid syntax',
    });
    expect(resolveProbePort(ports, 70000)).toEqual({
      error: 'invalid port number: 70000',
    });
  });
});

describe('ContainerModel readiness', () => {
  function model(port: number | string): ContainerModel {
    const spec: ContainerSpec = {
      name: 'api',
      image: 'registry.example.com/api:1',
      ports,
      resources: {},
      readinessProbe: {
        httpGet: { path: '/ready', port },
        initialDelaySeconds: 0,
        periodSeconds: 10,
        timeoutSeconds: 1,
        failureThreshold: 3,
      },
      behavior: behaviorSchema.parse({ type: 'steady', startupSeconds: 5 }),
    };
    return new ContainerModel(spec, spec.behavior, 'seed');
  }

  it('is Ready through a probe on the listening port, by name, number or digits', () => {
    for (const port of ['http', 8080, '8080']) {
      expect({ port, ready: model(port).readyAt(0, 30_000) }).toEqual({
        port,
        ready: true,
      });
    }
  });

  it('is never Ready through a probe on a port nothing listens on', () => {
    for (const port of [9090, '9090', 'metrics']) {
      expect({ port, ready: model(port).readyAt(0, 30_000) }).toEqual({
        port,
        ready: false,
      });
    }
  });
});
