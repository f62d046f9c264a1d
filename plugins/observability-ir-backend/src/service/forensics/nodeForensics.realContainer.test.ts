import type { V1Pod } from '@kubernetes/client-node';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expectedPortsFromPod } from './expectedPorts';
import { ForensicsReport, readForensicsReport } from './report';
import { NODE_FORENSICS_SCRIPT } from './scriptPath';

/*
 * The node-forensics script against a real container runtime and kernel:
 * a private containerd (its own root, state and socket; the CRI plugin off,
 * so it listens on no TCP port) runs busybox containers; the script finds
 * them through `ctr`, through a stand-in `crictl`, or under /proc, enters
 * their network namespaces and reads their memory cgroups.
 */

const REQUIRED = ['containerd', 'ctr', 'runc', 'nsenter', 'ip', 'sh'];
const BUSYBOX = '/bin/busybox';
const CTR_NAMESPACE = 'k8s.io';
const MEMORY_LIMIT = 32 * 1024 * 1024;

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some(dir => dir && existsSync(join(dir, binary)));
}

const missing = [
  ...REQUIRED.filter(b => !onPath(b)),
  ...(existsSync(BUSYBOX) ? [] : [`${BUSYBOX} (busybox-static)`]),
];
const notRoot = process.getuid?.() !== 0;
const unavailable = [
  ...(missing.length ? [`missing: ${missing.join(', ')}`] : []),
  ...(notRoot ? ['not running as root'] : []),
];
const inCi = process.env.CI === 'true';
if (unavailable.length && !inCi) {
  // eslint-disable-next-line no-console
  console.warn(
    `Skipping the real-container forensics test (${unavailable.join(
      '; ',
    )}): install containerd, runc and busybox-static and run as root`,
  );
}
const describeReal = unavailable.length && !inCi ? describe.skip : describe;

// Each case runs the script (and crictl's answers through ctr) synchronously.
jest.setTimeout(60_000);

/** One busybox container of the test, as kubelet would label it. */
interface TestContainer {
  key: string;
  id: string;
  podUid: string;
  podName: string;
  cgroupPath: string;
  args: string[];
  memoryLimit?: number;
  veth?: { host: string; address: string };
}

function pod(name: string, port = 8080): V1Pod {
  return {
    metadata: { name, namespace: 'shop' },
    spec: {
      containers: [
        {
          name: 'checkout-api',
          ports: [{ name: 'http', containerPort: port }],
          readinessProbe: { httpGet: { path: '/', port: 'http' } },
        },
      ],
    },
  };
}

describeReal('node forensics against a real container runtime', () => {
  const work = mkdtempSync(join(tmpdir(), 'obsir-forensics-'));
  const socket = join(work, 'containerd.sock');
  const cgroupPrefix = `obsir-forensics-${process.pid}`;
  let containerd: ChildProcess | undefined;

  const newContainer = (
    key: string,
    args: string[],
    extra: Partial<TestContainer> = {},
  ): TestContainer => {
    const id = randomBytes(32).toString('hex');
    const podUid = randomUUID();
    return {
      key,
      id,
      podUid,
      podName: `checkout-api-v1-${key}`,
      cgroupPath: `/${cgroupPrefix}/kubepods/burstable/pod${podUid}/${id}`,
      args,
      ...extra,
    };
  };
  const vethName = (n: number) => `obf${process.pid % 100000}${n}`;
  const listener = newContainer(
    'listener',
    ['/bin/httpd', '-f', '-p', '8080'],
    {
      veth: { host: vethName(1), address: '10.244.9.2/24' },
    },
  );
  const idle = newContainer('idle', ['/bin/sleep', '3600'], {
    veth: { host: vethName(2), address: '10.244.9.3/24' },
  });
  const wrongPort = newContainer(
    'wrongport',
    ['/bin/httpd', '-f', '-p', '9000'],
    {
      veth: { host: vethName(3), address: '10.244.9.4/24' },
    },
  );
  // The kernel OOM-kills the inner shell again and again; the outer one lives.
  const hog = newContainer(
    'hog',
    [
      '/bin/sh',
      '-c',
      'while true; do sh -c "x=aaaaaaaaaaaaaaaa; while true; do x=\\$x\\$x; done"; sleep 1; done',
    ],
    { memoryLimit: MEMORY_LIMIT },
  );
  const containers = [listener, idle, wrongPort, hog];
  // An earlier instance of the listener's container that has exited, as the
  // pod's status still names it right after a restart.
  const previousId = randomBytes(32).toString('hex');
  const previous: TestContainer = {
    key: 'previous',
    id: previousId,
    podUid: listener.podUid,
    podName: listener.podName,
    cgroupPath: `/${cgroupPrefix}/kubepods/burstable/pod${listener.podUid}/${previousId}`,
    args: ['/bin/true'],
  };

  function run(command: string, args: string[], env = process.env) {
    const result = spawnSync(command, args, {
      encoding: 'utf8',
      env,
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return {
      status: result.status,
      stdout: result.stdout ?? '',
      stderr: result.stderr ?? '',
    };
  }

  function must(command: string, args: string[]) {
    const result = run(command, args);
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} exited with ${result.status}: ${
          result.stderr
        }`,
      );
    }
    return result.stdout;
  }

  const ctr = (...args: string[]) =>
    must('ctr', ['--address', socket, '--namespace', CTR_NAMESPACE, ...args]);

  function taskPid(container: TestContainer): number {
    const line = ctr('tasks', 'ls')
      .split('\n')
      .find(l => l.startsWith(`${container.id} `));
    return Number(line?.trim().split(/\s+/)[1]);
  }

  async function waitFor(what: string, check: () => boolean, ms: number) {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 250));
    }
  }

  function oomKillsOf(container: TestContainer): number {
    const v1 = `/sys/fs/cgroup/memory${container.cgroupPath}/memory.oom_control`;
    const v2 = `/sys/fs/cgroup${container.cgroupPath}/memory.events`;
    for (const file of [v1, v2]) {
      if (existsSync(file)) {
        const match = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
        return match ? Number(match[1]) : 0;
      }
    }
    return 0;
  }

  function buildRootfs(): string {
    const rootfs = join(work, 'rootfs');
    for (const dir of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) {
      mkdirSync(join(rootfs, dir), { recursive: true });
    }
    copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
    must('chmod', ['0755', join(rootfs, 'bin/busybox')]);
    for (const applet of must(BUSYBOX, ['--list']).split('\n')) {
      if (/^[a-z0-9_.[-]+$/.test(applet) && applet !== 'busybox') {
        symlinkSync('busybox', join(rootfs, 'bin', applet));
      }
    }
    return rootfs;
  }

  beforeAll(async () => {
    if (unavailable.length) {
      throw new Error(
        `The real-container forensics test needs root and containerd, ctr, runc, nsenter, ip and busybox-static (${unavailable.join(
          '; ',
        )}). CI installs them with apt (.ci/run).`,
      );
    }
    const rootfs = buildRootfs();
    const config = join(work, 'containerd.toml');
    writeFileSync(
      config,
      [
        'version = 2',
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[plugins]',
        '  [plugins."io.containerd.internal.v1.opt"]',
        `    path = "${join(work, 'opt')}"`,
        '',
      ].join('\n'),
    );
    const log = openSync(join(work, 'containerd.log'), 'a');
    containerd = spawn(
      'containerd',
      [
        '--config',
        config,
        '--root',
        join(work, 'root'),
        '--state',
        join(work, 'state'),
        '--address',
        socket,
      ],
      { stdio: ['ignore', log, log] },
    );
    await waitFor(
      'containerd to answer on its socket',
      () =>
        run('ctr', ['--address', socket, 'version']).status === 0 ||
        containerd?.exitCode !== null,
      30_000,
    );
    if (containerd.exitCode !== null) {
      throw new Error(
        `containerd exited with ${containerd.exitCode}: ${readFileSync(
          join(work, 'containerd.log'),
          'utf8',
        ).slice(-2000)}`,
      );
    }

    const start = (c: TestContainer) =>
      ctr(
        'run',
        '-d',
        '--log-uri',
        `file://${join(work, `${c.key}.log`)}`,
        '--label',
        'io.kubernetes.container.name=checkout-api',
        '--label',
        `io.kubernetes.pod.uid=${c.podUid}`,
        '--label',
        `io.kubernetes.pod.name=${c.podName}`,
        '--label',
        'io.kubernetes.pod.namespace=shop',
        '--cgroup',
        c.cgroupPath,
        ...(c.memoryLimit ? ['--memory-limit', String(c.memoryLimit)] : []),
        '--rootfs',
        rootfs,
        c.id,
        ...c.args,
      );
    containers.forEach(start);
    for (const c of containers) {
      await waitFor(`${c.key} to run`, () => taskPid(c) > 0, 30_000);
      if (c.veth) {
        // What a CNI plugin does: a veth pair, one end as eth0 in the pod.
        const pid = String(taskPid(c));
        must('ip', [
          'link',
          'add',
          c.veth.host,
          'type',
          'veth',
          'peer',
          'name',
          'eth0',
          'netns',
          pid,
        ]);
        must('nsenter', [
          '-t',
          pid,
          '-n',
          '--',
          'ip',
          'addr',
          'add',
          c.veth.address,
          'dev',
          'eth0',
        ]);
        must('nsenter', [
          '-t',
          pid,
          '-n',
          '--',
          'ip',
          'link',
          'set',
          'eth0',
          'up',
        ]);
        must('ip', ['link', 'set', c.veth.host, 'up']);
      }
    }
    await waitFor(
      'the kernel to OOM-kill in the hog',
      () => oomKillsOf(hog) >= 1,
      60_000,
    );
    await waitFor(
      'httpd to listen',
      () =>
        [listener, wrongPort].every(c =>
          /LISTEN/.test(
            run('nsenter', ['-t', String(taskPid(c)), '-n', '--', 'ss', '-ltn'])
              .stdout,
          ),
        ),
      10_000,
    );
    start(previous);
    await waitFor(
      'the earlier instance to exit',
      () =>
        ctr('tasks', 'ls')
          .split('\n')
          .some(line => line.startsWith(previous.id) && /STOPPED/.test(line)),
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    const errors: string[] = [];
    const attempt = (what: string, action: () => void) => {
      try {
        action();
      } catch (error) {
        errors.push(`${what}: ${error}`);
      }
    };
    if (containerd && containerd.exitCode === null) {
      for (const c of containers) {
        run('ctr', [
          '--address',
          socket,
          '-n',
          CTR_NAMESPACE,
          'tasks',
          'kill',
          '-s',
          'SIGKILL',
          c.id,
        ]);
      }
      for (const c of containers) {
        run('ctr', [
          '--address',
          socket,
          '-n',
          CTR_NAMESPACE,
          'tasks',
          'rm',
          '-f',
          c.id,
        ]);
        run('ctr', [
          '--address',
          socket,
          '-n',
          CTR_NAMESPACE,
          'containers',
          'rm',
          c.id,
        ]);
      }
      containerd.kill('SIGTERM');
      const stopped = await new Promise<boolean>(done => {
        const timer = setTimeout(() => done(false), 10_000);
        containerd!.once('exit', () => {
          clearTimeout(timer);
          done(true);
        });
      });
      if (!stopped) containerd.kill('SIGKILL');
    }
    // The shims containerd started outlive it: stop those of this test by PID.
    for (const entry of readdirSync('/proc').filter(e => /^\d+$/.test(e))) {
      attempt(`stop process ${entry}`, () => {
        let cmdline = '';
        try {
          cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        } catch {
          return;
        }
        if (cmdline.includes(work) && Number(entry) !== process.pid) {
          process.kill(Number(entry), 'SIGKILL');
        }
      });
    }
    for (const c of containers) {
      if (c.veth) run('ip', ['link', 'del', c.veth.host]);
    }
    // Cgroups: the leaves go with their tasks; the test's parents stay.
    for (const hierarchy of ['', ...readdirSync('/sys/fs/cgroup')]) {
      const top = join('/sys/fs/cgroup', hierarchy, cgroupPrefix);
      if (!existsSync(top)) continue;
      const dirs = must('find', [top, '-depth', '-type', 'd'])
        .split('\n')
        .filter(Boolean);
      for (const dir of dirs) attempt(`rmdir ${dir}`, () => rmdirSync(dir));
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map(line => line.split(' ')[4])
      .filter(point => point?.startsWith(work))
      .sort((a, b) => b.length - a.length);
    for (const point of mounts) run('umount', ['-l', point]);
    attempt('remove the work folder', () =>
      rmSync(work, { recursive: true, force: true }),
    );
    if (errors.length) throw new Error(`cleanup: ${errors.join('; ')}`);
  }, 60_000);

  function forensics(
    container: TestContainer,
    options: {
      path?: string;
      shell?: string[];
      extra?: string[];
      byId?: boolean;
    } = {},
  ): { report: ForensicsReport; output: string } {
    const args = options.byId
      ? ['--container-id', `containerd://${container.id}`]
      : ['--container-name', 'checkout-api', '--pod-uid', container.podUid];
    const [shell, ...shellArgs] = options.shell ?? ['sh'];
    const result = run(
      shell,
      [
        ...shellArgs,
        NODE_FORENSICS_SCRIPT,
        ...args,
        '--pod-uid',
        container.podUid,
        '--pod-name',
        container.podName,
        '--pod-namespace',
        'shop',
        '--runtime-endpoint',
        `unix://${socket}`,
        ...(options.extra ?? []),
      ],
      { ...process.env, PATH: options.path ?? process.env.PATH },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const expected = expectedPortsFromPod(pod(container.podName), {
      serviceTargetPorts: [8080],
    });
    return {
      report: readForensicsReport(result.stdout, expected),
      output: result.stdout,
    };
  }

  describe('with ctr as the runtime client', () => {
    it('finds the listener on 8080 inside its namespace', () => {
      const { report } = forensics(listener);
      expect(report.complete).toBe(true);
      expect(report.findings.target).toMatchObject({
        containerId: listener.id,
        foundBy: 'ctr',
        pid: taskPid(listener),
        state: 'running',
      });
      expect(report.findings.listening).toEqual([
        expect.objectContaining({
          port: 8080,
          loopbackOnly: false,
          owners: [{ name: 'httpd', pid: taskPid(listener) }],
        }),
      ]);
      expect(
        report.findings.interfaces?.find(i => i.name === 'eth0'),
      ).toMatchObject({
        up: true,
        addresses: expect.arrayContaining([
          expect.objectContaining({ address: '10.244.9.2' }),
        ]),
      });
      expect(report.findings.process?.name).toBe('httpd');
      expect(report.findings.cgroup.container?.path).toContain(listener.id);
      expect(report.findings.cgroup.pod?.path).toMatch(
        new RegExp(`pod${listener.podUid}$`),
      );
      expect(report.verdict.kind).toBe('listening');
      expect(report.verdict.sentence).toBe(
        'The app listens on 8080 and the interface is up (10.244.9.2): look at the network path (Service, NetworkPolicy, CNI)',
      );
    });

    it('reports that nothing listens in a container that opened no port', () => {
      const { report } = forensics(idle);
      expect(report.findings.target.pid).toBe(taskPid(idle));
      expect(report.findings.listening).toEqual([]);
      expect(report.findings.cgroup.container?.oomKills).toBe(0);
      expect(report.verdict.kind).toBe('not-listening');
      expect(report.verdict.sentence).toMatch(
        /^Nothing listens on 8080 in the pod's network namespace while the spec expects it, and the cgroup recorded no OOM kill/,
      );
    });

    it('counts the OOM kills of the memory hog against its limit', () => {
      const before = oomKillsOf(hog);
      const { report } = forensics(hog);
      expect(report.findings.listening).toEqual([]);
      expect(report.findings.cgroup.container).toMatchObject({
        limitBytes: MEMORY_LIMIT,
      });
      expect(report.findings.cgroup.container?.oomKills).toBeGreaterThanOrEqual(
        Math.max(1, before),
      );
      expect(report.verdict.kind).toBe('oom-before-ready');
      expect(report.verdict.sentence).toMatch(
        /^Nothing listens on 8080 in the pod's network namespace while the spec expects it; the cgroup recorded \d+ OOM kills?: the process dies before it is Ready, consistent with the memory limit \(32Mi\)$/,
      );
    });

    it('sees the app listening on 9000 instead of 8080', () => {
      const { report } = forensics(wrongPort);
      expect(report.findings.listening?.map(s => s.port)).toEqual([9000]);
      expect(report.verdict).toMatchObject({
        kind: 'wrong-port',
        listeningPorts: [9000],
      });
      expect(report.verdict.sentence).toBe(
        'It listens on 9000, not on the 8080 that the container port, readiness probe and Service use',
      );
    });
  });

  describe('given the id of an instance that has exited since', () => {
    const crictlBin = join(work, 'crictl-restarted-bin');
    beforeAll(() => {
      mkdirSync(crictlBin, { recursive: true });
      symlinkSync(
        resolve(__dirname, '__testUtils__/crictl'),
        join(crictlBin, 'crictl'),
      );
    });

    it.each([
      ['ctr', () => process.env.PATH],
      ['crictl', () => `${crictlBin}:${process.env.PATH}`],
    ])('finds the running instance by name and pod UID (%s)', (_, path) => {
      const { report, output } = forensics(previous, {
        byId: true,
        path: path(),
        extra: ['--container-name', 'checkout-api'],
      });
      expect(output).toContain(`container-id: ${previous.id}`);
      expect(report.findings.target).toMatchObject({
        containerId: listener.id,
        pid: taskPid(listener),
        state: 'running',
        note: `container ${previous.id} no longer runs; its restarted instance ${listener.id} does`,
      });
      expect(report.verdict.kind).toBe('listening');
    });

    it('without the name, reports the exited instance as not running', () => {
      const { report } = forensics(previous, { byId: true });
      expect(report.findings.target.containerId).toBe(previous.id);
      expect(report.findings.target.pid).toBeUndefined();
      expect(report.verdict.kind).toBe('pid-not-found');
    });
  });

  describe('with crictl first on PATH', () => {
    const crictlBin = join(work, 'crictl-bin');
    const path = () => `${crictlBin}:${process.env.PATH}`;
    beforeAll(() => {
      mkdirSync(crictlBin, { recursive: true });
      symlinkSync(
        resolve(__dirname, '__testUtils__/crictl'),
        join(crictlBin, 'crictl'),
      );
    });

    it('finds the container with crictl ps and its PID with crictl inspect', () => {
      const { report, output } = forensics(listener, { path: path() });
      expect(output).toMatch(
        /\$ crictl --runtime-endpoint unix:\/\/\S+ ps --name \^checkout-api\$ --label io\.kubernetes\.pod\.uid=/,
      );
      expect(report.findings.target).toMatchObject({
        foundBy: 'crictl',
        pid: taskPid(listener),
      });
      expect(report.findings.container).toMatchObject({
        id: listener.id,
        state: 'CONTAINER_RUNNING',
        pid: taskPid(listener),
      });
      expect(report.verdict.kind).toBe('listening');
    });

    it('reports the OOM kills the same way', () => {
      const { report } = forensics(hog, { path: path() });
      expect(report.findings.target.foundBy).toBe('crictl');
      expect(report.findings.container?.memoryLimitBytes).toBe(MEMORY_LIMIT);
      expect(report.verdict.kind).toBe('oom-before-ready');
      expect(report.verdict.oomKills).toBeGreaterThanOrEqual(1);
    });
  });

  it('runs under busybox sh with only busybox applets, finding the container under /proc', () => {
    const bin = join(work, 'busybox-bin');
    mkdirSync(bin, { recursive: true });
    for (const applet of must(BUSYBOX, ['--list']).split('\n')) {
      if (/^[a-z0-9_.[-]+$/.test(applet))
        symlinkSync(BUSYBOX, join(bin, applet));
    }
    const { report } = forensics(listener, {
      path: bin,
      shell: [BUSYBOX, 'sh'],
      byId: true,
    });
    expect(report.findings.target).toMatchObject({
      foundBy: 'proc',
      pid: taskPid(listener),
    });
    expect(report.findings.listeningFrom).toBe('netstat');
    expect(report.findings.listening?.map(s => s.port)).toEqual([8080]);
    expect(report.verdict.kind).toBe('listening');
  });

  it('reads cgroup v2 files where the cgroup root is unified', () => {
    // A cgroup v2 tree at the container's path, in the kernel's format.
    const root = join(work, 'cgroup-v2');
    const dir = join(root, hog.cgroupPath);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(root, 'cgroup.controllers'),
      'cpuset cpu io memory pids\n',
    );
    writeFileSync(
      join(dir, 'memory.events'),
      'low 0\nhigh 0\nmax 3127\noom 46\noom_kill 46\noom_group_kill 0\n',
    );
    writeFileSync(join(dir, 'memory.max'), `${MEMORY_LIMIT}\n`);
    writeFileSync(join(dir, 'memory.current'), '30408704\n');
    const { report } = forensics(hog, { extra: ['--cgroup-root', root] });
    expect(report.findings.cgroup).toMatchObject({
      version: 2,
      container: {
        oomKills: 46,
        limitBytes: MEMORY_LIMIT,
        usageBytes: 30408704,
      },
    });
    expect(report.verdict.sentence).toContain(
      'the cgroup recorded 46 OOM kills',
    );
  });

  it('refuses a container id that is not hex before running anything', () => {
    const result = run('sh', [
      NODE_FORENSICS_SCRIPT,
      '--container-id',
      `containerd://${hog.id.slice(0, 12)};reboot`,
    ]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /invalid --container-id: expected 12 to 64 lowercase hex digits/,
    );
  });
});
