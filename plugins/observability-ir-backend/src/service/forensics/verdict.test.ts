import type { V1Pod } from '@kubernetes/client-node';
import { fixture } from './__testUtils__/fixtures';
import { expectedPortsFromPod } from './expectedPorts';
import { ForensicsFindings } from './findings';
import { parseIpAddr } from './parse/ipAddr';
import { parseSsListening } from './parse/listeningSockets';
import { readForensicsReport } from './report';
import { forensicsVerdict } from './verdict';

const pod: V1Pod = {
  metadata: { name: 'checkout-api-v1-abc', namespace: 'shop' },
  spec: {
    containers: [
      {
        name: 'checkout-api',
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
      },
    ],
  },
};
const expected = expectedPortsFromPod(pod, { serviceTargetPorts: [8080] });

const eth0Up = parseIpAddr(fixture('ip-addr.iproute2.txt'));
const ss = (lines: string[]) =>
  parseSsListening(
    [
      'State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
      ...lines,
    ].join('\n'),
  );
const listen = (address: string, port: number) =>
  `LISTEN 0 4096 ${address}:${port} 0.0.0.0:* users:(("app",pid=48213,fd=3))`;

function findings(
  overrides: Partial<ForensicsFindings> = {},
): ForensicsFindings {
  return {
    complete: true,
    target: {
      containerId: '9c4f2e7a1b3d5c6e8f0a',
      foundBy: 'crictl',
      pid: 48213,
      state: 'running',
    },
    interfaces: eth0Up,
    listening: ss([listen('*', 8080)]),
    listeningFrom: 'ss',
    cgroup: {
      version: 2,
      container: { path: '/c', oomKills: 0, limitBytes: 268435456 },
    },
    failedSections: [],
    ...overrides,
  };
}

describe('expected ports', () => {
  it('takes container ports and probe ports, named ports resolved, with who uses them', () => {
    expect(expected).toEqual([
      { port: 8080, uses: ['container port', 'readiness probe', 'Service'] },
    ]);
    expect(
      expectedPortsFromPod(
        {
          spec: {
            containers: [
              { name: 'sidecar', ports: [{ containerPort: 15090 }] },
              {
                name: 'app',
                ports: [{ containerPort: 53, protocol: 'UDP' }],
                livenessProbe: { tcpSocket: { port: 9000 } },
                startupProbe: { grpc: { port: 9001 } },
              },
            ],
          },
        },
        { containerName: 'app' },
      ),
    ).toEqual([
      { port: 9000, uses: ['liveness probe'] },
      { port: 9001, uses: ['startup probe'] },
    ]);
  });
});

describe('forensics verdict', () => {
  it('nothing listens and the cgroup recorded OOM kills: dies before Ready', () => {
    const verdict = forensicsVerdict(
      findings({
        listening: ss([]),
        cgroup: {
          version: 2,
          container: { path: '/c', oomKills: 3, limitBytes: 268435456 },
          pod: { path: '/p', oomKills: 46, limitBytes: null },
        },
      }),
      expected,
    );
    expect(verdict).toMatchObject({
      kind: 'oom-before-ready',
      oomKills: 46,
      memoryLimitBytes: 268435456,
    });
    expect(verdict.sentence).toBe(
      "Nothing listens on 8080 in the pod's network namespace while the spec expects it; the cgroup recorded 46 OOM kills: the process dies before it is Ready, consistent with the memory limit (256Mi)",
    );
  });

  it('listens on the expected port with the interface up: the network path', () => {
    const verdict = forensicsVerdict(findings(), expected);
    expect(verdict.kind).toBe('listening');
    expect(verdict.sentence).toBe(
      'The app listens on 8080 and the interface is up (10.244.1.17): look at the network path (Service, NetworkPolicy, CNI)',
    );
  });

  it('listens on another port than the probe and Service use', () => {
    const verdict = forensicsVerdict(
      findings({ listening: ss([listen('0.0.0.0', 9000)]) }),
      expected,
    );
    expect(verdict).toMatchObject({
      kind: 'wrong-port',
      listeningPorts: [9000],
      expectedPorts: [8080],
    });
    expect(verdict.sentence).toBe(
      'It listens on 9000, not on the 8080 that the container port, readiness probe and Service use',
    );
  });

  it('nothing listens and no OOM kill: the process runs without opening the port', () => {
    const verdict = forensicsVerdict(findings({ listening: ss([]) }), expected);
    expect(verdict.kind).toBe('not-listening');
    expect(verdict.sentence).toMatch(
      /^Nothing listens on 8080 .* no OOM kill: the process \(PID 48213\) runs/,
    );
  });

  it('listens on loopback only', () => {
    const verdict = forensicsVerdict(
      findings({ listening: ss([listen('127.0.0.1', 8080)]) }),
      expected,
    );
    expect(verdict.kind).toBe('loopback-only');
    expect(verdict.sentence).toMatch(
      /^It listens on 8080 only on 127\.0\.0\.1: .* on 10\.244\.1\.17/,
    );
  });

  it('one expected port listens, another does not', () => {
    const verdict = forensicsVerdict(findings(), [
      { port: 8080, uses: ['container port'] },
      { port: 9090, uses: ['liveness probe'] },
    ]);
    expect(verdict).toMatchObject({ kind: 'missing-port' });
    expect(verdict.sentence).toBe(
      'It listens on 8080 but not on 9090, which the liveness probe uses',
    );
  });

  it('the interface is down', () => {
    const verdict = forensicsVerdict(
      findings({ interfaces: parseIpAddr(fixture('ip-addr.eth0-down.txt')) }),
      expected,
    );
    expect(verdict.kind).toBe('interface-down');
    expect(verdict.sentence).toMatch(
      /^The interface eth0 is down in the pod's network namespace \(DOWN\)/,
    );
  });

  it('no address besides loopback', () => {
    const verdict = forensicsVerdict(
      findings({ interfaces: eth0Up.slice(0, 1) }),
      expected,
    );
    expect(verdict.kind).toBe('no-address');
    expect(verdict.sentence).toMatch(
      /no address besides loopback \(0 other interfaces\)/,
    );
  });

  it('no PID: the container does not run, with or without OOM kills', () => {
    const exited = findings({
      target: {
        containerId: '9c4f2e7a1b3d5c6e8f0a',
        foundBy: 'crictl',
        state: 'exited',
      },
      interfaces: undefined,
      listening: undefined,
    });
    expect(forensicsVerdict(exited, expected)).toMatchObject({
      kind: 'pid-not-found',
      sentence: expect.stringMatching(
        /^The container 9c4f2e7a1b3d5 is exited and has no process on the node/,
      ),
    });
    const killed = forensicsVerdict(
      {
        ...exited,
        cgroup: {
          version: 1,
          container: { path: '/c', oomKills: 12, limitBytes: 33554432 },
        },
      },
      expected,
    );
    expect(killed).toMatchObject({ kind: 'oom-before-ready', oomKills: 12 });
    expect(killed.sentence).toBe(
      'The container is not running (no process on the node); the cgroup recorded 12 OOM kills: the process dies before it is Ready, consistent with the memory limit (32Mi)',
    );
  });

  it('no such container', () => {
    expect(forensicsVerdict(findings({ target: {} }), expected).kind).toBe(
      'container-not-found',
    );
  });

  it('inconclusive when nsenter failed', () => {
    const verdict = forensicsVerdict(
      findings({
        interfaces: undefined,
        listening: undefined,
        failedSections: [{ name: 'ip-addr', exitStatus: 1 }],
      }),
      expected,
    );
    expect(verdict.kind).toBe('inconclusive');
    expect(verdict.sentence).toMatch(/PID 48213 \(ip-addr exited with 1\)/);
  });
});

describe('a whole report from captured script output', () => {
  it('the OOM-killing container found through ctr', () => {
    const report = readForensicsReport(
      fixture('script-output.ctr-oom.txt'),
      expected,
    );
    expect(report.complete).toBe(true);
    expect(report.findings.target).toMatchObject({
      foundBy: 'ctr',
      state: 'running',
    });
    expect(report.findings.listening).toEqual([]);
    expect(report.findings.cgroup).toMatchObject({
      version: 1,
      container: { oomKills: 91, limitBytes: 33554432 },
      pod: { oomKills: 0, limitBytes: null },
    });
    expect(report.verdict).toMatchObject({
      kind: 'oom-before-ready',
      oomKills: 91,
    });
  });

  it('the listener found through crictl', () => {
    const report = readForensicsReport(
      fixture('script-output.crictl-listening.txt'),
      expected,
    );
    expect(report.findings.target.foundBy).toBe('crictl');
    expect(report.findings.container).toMatchObject({
      state: 'CONTAINER_RUNNING',
    });
    expect(report.findings.process?.name).toBe('httpd');
    expect(report.verdict.kind).toBe('listening');
  });

  it('the listener found under /proc by busybox sh, sockets from busybox netstat', () => {
    const report = readForensicsReport(
      fixture('script-output.busybox-proc-scan.txt'),
      expected,
    );
    expect(report.findings).toMatchObject({
      listeningFrom: 'netstat',
      target: { foundBy: 'proc' },
    });
    expect(report.findings.failedSections.map(s => s.name)).toEqual([
      'netstat-plnt',
    ]);
    expect(report.verdict.kind).toBe('listening');
  });
});
