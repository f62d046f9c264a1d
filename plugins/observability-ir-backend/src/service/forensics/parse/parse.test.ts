import { fixture } from '../__testUtils__/fixtures';
import {
  memoryCgroupPath,
  parseCgroupBytes,
  parseCgroupV1OomControl,
  parseCgroupV2Limit,
  parseCgroupV2MemoryEvents,
  parseProcCgroup,
} from './cgroup';
import { parseIpAddr } from './ipAddr';
import { parseNetstatListening, parseSsListening } from './listeningSockets';
import { parseProcStatus } from './procStatus';
import {
  parseContainerIds,
  parseCrictlInspect,
  parseCtrTaskList,
} from './runtime';
import { parseForensicsOutput } from './sections';

describe('ip addr', () => {
  it('reads iproute2 output: loopback and a veth with its address', () => {
    const [lo, eth0] = parseIpAddr(fixture('ip-addr.iproute2.txt'));
    expect(lo).toMatchObject({
      name: 'lo',
      loopback: true,
      up: true,
      state: 'UNKNOWN',
    });
    expect(eth0).toMatchObject({
      index: 2,
      name: 'eth0',
      loopback: false,
      up: true,
      state: 'UP',
      mtu: 1500,
    });
    expect(eth0.addresses).toEqual([
      {
        family: 'inet',
        address: '10.244.1.17',
        prefixLength: 24,
        scope: 'global',
      },
      {
        family: 'inet6',
        address: 'fe80::7cf8:70ff:fe56:f38e',
        prefixLength: 64,
        scope: 'link',
      },
    ]);
  });

  it('reads busybox output, which prints no state and marks the veth M-DOWN', () => {
    const eth0 = parseIpAddr(fixture('ip-addr.busybox.txt'))[1];
    expect(eth0.state).toBeUndefined();
    expect(eth0.flags).toContain('M-DOWN');
    expect(eth0.up).toBe(true);
    expect(eth0.addresses[0].address).toBe('10.244.1.17');
  });

  it('sees an interface that was set down', () => {
    const eth0 = parseIpAddr(fixture('ip-addr.eth0-down.txt'))[1];
    expect(eth0).toMatchObject({ name: 'eth0', up: false, state: 'DOWN' });
    expect(eth0.addresses.map(a => a.address)).toEqual(['10.244.1.17']);
  });
});

describe('listening sockets', () => {
  it('reads ss -ltnp with the owning process', () => {
    expect(parseSsListening(fixture('ss-ltnp.listening.txt'))).toEqual([
      {
        address: '*',
        port: 8080,
        loopbackOnly: false,
        owners: [{ name: 'httpd', pid: 23470 }],
      },
    ]);
  });

  it('reads an empty ss -ltnp (header only) as no sockets', () => {
    expect(parseSsListening(fixture('ss-ltnp.empty.txt'))).toEqual([]);
  });

  it('reads loopback and IPv6 addresses from ss', () => {
    const text = [
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
      'LISTEN 0      4096       127.0.0.1:9000      0.0.0.0:*    users:(("app",pid=7,fd=3),("app",pid=8,fd=3))',
      'LISTEN 0      4096           [::]:8080         [::]:*',
    ].join('\n');
    expect(parseSsListening(text)).toEqual([
      {
        address: '127.0.0.1',
        port: 9000,
        loopbackOnly: true,
        owners: [
          { name: 'app', pid: 7 },
          { name: 'app', pid: 8 },
        ],
      },
      { address: '::', port: 8080, loopbackOnly: false, owners: [] },
    ]);
  });

  it('reads net-tools netstat -plnt with PID/Program', () => {
    expect(
      parseNetstatListening(fixture('netstat-plnt.net-tools.txt')),
    ).toEqual([
      {
        address: '::',
        port: 8080,
        loopbackOnly: false,
        owners: [{ pid: 23470, name: 'httpd' }],
      },
    ]);
    expect(parseNetstatListening(fixture('netstat-plnt.empty.txt'))).toEqual(
      [],
    );
  });

  it('reads busybox netstat -lnt, which has no owner column', () => {
    expect(parseNetstatListening(fixture('netstat-lnt.busybox.txt'))).toEqual([
      { address: '::', port: 8080, loopbackOnly: false, owners: [] },
    ]);
  });
});

describe('/proc/PID/status', () => {
  it('reads the memory facts in bytes', () => {
    const status = parseProcStatus(fixture('proc-status.httpd.txt'));
    expect(status).toMatchObject({
      name: 'httpd',
      pid: 23470,
      threads: 1,
    });
    expect(status.state).toMatch(/^S /);
    expect(status.residentBytes).toBe(
      Number(/VmRSS:\s+(\d+)/.exec(fixture('proc-status.httpd.txt'))![1]) *
        1024,
    );
    expect(status.residentBytes).toBeGreaterThan(0);
    expect(status.peakResidentBytes).toBeGreaterThanOrEqual(
      status.residentBytes!,
    );
  });
});

describe('cgroups', () => {
  it('finds the memory cgroup in a v1 /proc/PID/cgroup', () => {
    const entries = parseProcCgroup(fixture('proc-cgroup.v1.txt'));
    expect(entries).toHaveLength(10);
    expect(memoryCgroupPath(entries)).toBe(
      '/obsir-fx/kubepods/burstable/pod3f9c2a61-8d4e-4b7a-9c1e-5a2b7d0e4f18/bfa54f979c8d39f4bc086a41791fefe776ac95d896648e2788836287f4865292',
    );
  });

  it('finds the unified cgroup in a v2 /proc/PID/cgroup', () => {
    expect(
      memoryCgroupPath(parseProcCgroup(fixture('proc-cgroup.v2.txt'))),
    ).toMatch(/^\/kubepods\.slice\/.*\/cri-containerd-9c4f2e7a.*\.scope$/);
  });

  it('reads v1 memory.oom_control and limits, the kernel maximum as unlimited', () => {
    expect(
      parseCgroupV1OomControl(fixture('cgroup-v1.memory.oom_control.txt')),
    ).toEqual({
      oomKillDisable: false,
      underOom: false,
      oomKill: 15,
    });
    expect(
      parseCgroupBytes(fixture('cgroup-v1.memory.limit_in_bytes.txt')),
    ).toBe(33554432);
    expect(
      parseCgroupBytes(
        fixture('cgroup-v1.memory.limit_in_bytes.unlimited.txt'),
      ),
    ).toBeNull();
  });

  it('reads v2 memory.events, memory.max and memory.current', () => {
    expect(
      parseCgroupV2MemoryEvents(fixture('cgroup-v2.memory.events.txt')),
    ).toEqual({
      low: 0,
      high: 0,
      max: 3127,
      oom: 46,
      oomKill: 46,
      oomGroupKill: 0,
    });
    expect(parseCgroupV2Limit(fixture('cgroup-v2.memory.max.txt'))).toBe(
      268435456,
    );
    expect(
      parseCgroupV2Limit(fixture('cgroup-v2.memory.max.unlimited.txt')),
    ).toBeNull();
    expect(parseCgroupBytes(fixture('cgroup-v2.memory.current.txt'))).toBe(
      251658240,
    );
  });
});

describe('container runtime', () => {
  it('reads crictl inspect of a running container: info.pid, limit, cgroup', () => {
    expect(parseCrictlInspect(fixture('crictl-inspect.running.json'))).toEqual({
      id: '9c4f2e7a1b3d5c6e8f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e',
      name: 'checkout-api',
      state: 'CONTAINER_RUNNING',
      pid: 48213,
      exitCode: 0,
      startedAt: '2025-11-18T09:41:07.688304213Z',
      finishedAt: '0001-01-01T00:00:00Z',
      restartCount: 46,
      memoryLimitBytes: 268435456,
      cgroupsPath:
        'kubepods-burstable-pod3f9c2a61_8d4e_4b7a_9c1e_5a2b7d0e4f18.slice:cri-containerd:9c4f2e7a1b3d5c6e8f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e',
      podUid: '3f9c2a61-8d4e-4b7a-9c1e-5a2b7d0e4f18',
    });
  });

  it('reads crictl inspect of an OOM-killed container: pid 0, reason OOMKilled', () => {
    expect(
      parseCrictlInspect(fixture('crictl-inspect.oom-killed.json')),
    ).toMatchObject({
      state: 'CONTAINER_EXITED',
      pid: 0,
      exitCode: 137,
      reason: 'OOMKilled',
    });
  });

  it('refuses text that is not crictl inspect JSON', () => {
    expect(() => parseCrictlInspect('{"info":{}}')).toThrow(/status\.id/);
    expect(() => parseCrictlInspect('FATA[0000] no such container')).toThrow();
  });

  it('reads container ids of ps -q and ctr containers ls, skipping other lines', () => {
    const ids = parseContainerIds(
      `WARN[0000] runtime connect using default endpoints\n${fixture(
        'ctr-task-ls.txt',
      )
        .split('\n')
        .slice(1)
        .map(line => line.split(/\s+/)[0])
        .join('\n')}`,
    );
    expect(ids).toEqual([
      'bfa54f979c8d39f4bc086a41791fefe776ac95d896648e2788836287f4865292',
      '42d49a2573eb9ef51a6f8b9c0ac0a3f8b78dae1835d89427c8d44ad353a3f7b8',
    ]);
  });

  it('reads ctr tasks ls', () => {
    expect(parseCtrTaskList(fixture('ctr-task-ls.txt'))).toEqual([
      {
        id: 'bfa54f979c8d39f4bc086a41791fefe776ac95d896648e2788836287f4865292',
        pid: 23470,
        status: 'RUNNING',
      },
      {
        id: '42d49a2573eb9ef51a6f8b9c0ac0a3f8b78dae1835d89427c8d44ad353a3f7b8',
        pid: 23522,
        status: 'RUNNING',
      },
    ]);
  });
});

describe('the script output', () => {
  it('splits it into sections with commands and exit statuses', () => {
    const output = parseForensicsOutput(
      fixture('script-output.busybox-proc-scan.txt'),
    );
    expect(output.formatVersion).toBe(1);
    expect(output.complete).toBe(true);
    const byName = new Map(output.sections.map(s => [s.name, s]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        'meta',
        'proc-cgroup-scan',
        'target',
        'ip-addr',
        'netstat-plnt',
        'netstat-lnt',
        'cgroup',
      ]),
    );
    expect(byName.get('netstat-plnt')).toMatchObject({
      exitStatus: 1,
      command: expect.stringMatching(/^nsenter -t \d+ -n -- netstat -plnt$/),
    });
    expect(byName.get('netstat-lnt')!.exitStatus).toBe(0);
    expect(byName.get('ip-addr')!.body).toContain('eth0');
  });

  it('keeps a cut-off section without an exit status and says the run is incomplete', () => {
    const text = fixture('script-output.ctr-oom.txt');
    const cut = text.slice(0, text.indexOf('=== end: ss-ltnp'));
    const output = parseForensicsOutput(cut);
    expect(output.complete).toBe(false);
    expect(output.sections[output.sections.length - 1]).toEqual(
      expect.objectContaining({ name: 'ss-ltnp' }),
    );
    expect(
      output.sections[output.sections.length - 1].exitStatus,
    ).toBeUndefined();
  });
});
