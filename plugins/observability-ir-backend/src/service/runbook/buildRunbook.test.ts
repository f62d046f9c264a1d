import {
  RunbookResponse,
  RunbookStep,
  RunbookStepId,
} from '@observability-ir/plugin-observability-ir-common';
import {
  appCrash,
  cpuThrottling,
  healthyService,
  labOom,
  labOomWithoutLoki,
  labOomWithoutPrometheus,
  memoryLeak,
  networkFault,
  replica,
} from '../../__testUtils__/evidence';
import {
  forensicsRun,
  incident,
  runbookInputs,
} from './__testUtils__/runbookInputs';
import { buildRunbook, RunbookInputs } from './buildRunbook';

type Runbook = Omit<RunbookResponse, 'incident'>;

function step(runbook: Runbook, id: RunbookStepId): RunbookStep {
  return runbook.steps.find(s => s.id === id)!;
}

function statuses(runbook: Runbook) {
  return Object.fromEntries(runbook.steps.map(s => [s.id, s.status]));
}

function texts(s: RunbookStep, language = 'shell'): string[] {
  return s.commands.filter(c => c.language === language).map(c => c.text);
}

const lab = (overrides: Partial<RunbookInputs> = {}) =>
  buildRunbook(runbookInputs(labOom(), overrides));

describe('buildRunbook', () => {
  describe('for the lab OOM, before anyone acts', () => {
    const runbook = lab();

    it('follows the top hypothesis with its confidence and recommendation', () => {
      expect(runbook.hypothesis).toBe('memory-limit-too-low');
      expect(runbook.title).toBe('Memory limit too low');
      expect(runbook.confidence).toBeGreaterThan(0.9);
      expect(runbook.recommendation?.memoryLimit).toMatchObject({
        current: '512Mi',
        proposed: '1Gi',
      });
      expect(statuses(runbook)).toEqual({
        triage: 'done',
        logs: 'done',
        replicas: 'done',
        kernel: 'needs-person',
        fix: 'needs-person',
        verify: 'needs-person',
      });
    });

    it('backs each evidence step with the diagnosis items of its source', () => {
      expect(step(runbook, 'triage').evidence.length).toBeGreaterThan(0);
      expect(
        step(runbook, 'triage').evidence.every(e => e.source === 'prometheus'),
      ).toBe(true);
      expect(step(runbook, 'logs').evidence[0].description).toMatch(
        /^"java.lang.OutOfMemoryError: Java heap space": \d+ lines in checkout-api-v1-abc and checkout-api-v1-xyz/,
      );
      expect(
        step(runbook, 'replicas').evidence.map(e => e.description),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /checkout-api-v1-abc: .*OOMKilled \(exit 137\)/,
          ),
        ]),
      );
    });

    it('offers the queries the backend ran and the lab kubectl commands', () => {
      expect(texts(step(runbook, 'triage'), 'promql')).toEqual(
        expect.arrayContaining([
          'container_memory_working_set_bytes{namespace="finance",pod=~"(?:(?:checkout-api-v1-abc|checkout-api-v1-xyz)|(?:checkout-api-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}))",container!="",container!="POD"}',
          'max by (namespace, pod, container) (container_memory_working_set_bytes{namespace="finance",pod=~"(?:(?:checkout-api-v1-abc|checkout-api-v1-xyz)|(?:checkout-api-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}))",container!="",container!="POD"}) / max by (namespace, pod, container) (kube_pod_container_resource_limits{namespace="finance",pod=~"(?:(?:checkout-api-v1-abc|checkout-api-v1-xyz)|(?:checkout-api-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}))",resource="memory"})',
        ]),
      );
      expect(texts(step(runbook, 'logs'), 'logql')).toContain(
        '{namespace="finance",pod=~"(?:(?:checkout-api-v1-abc|checkout-api-v1-xyz)|(?:checkout-api-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}))"} |~ "(?i)(error|exception|fatal|panic|oom|outofmemory|out of memory|bad_alloc|allocation of [0-9]+ bytes failed|cannot allocate memory)" |= "java.lang.OutOfMemoryError"',
      );
      expect(texts(step(runbook, 'replicas'))).toEqual(
        expect.arrayContaining([
          "kubectl --context 'sandbox' -n 'finance' describe pod 'checkout-api-v1-abc'",
          "kubectl --context 'sandbox' -n 'finance' get events --field-selector 'involvedObject.name=checkout-api-v1-xyz'",
        ]),
      );
    });

    it('proposes the memory limit fix on the Deployment the kubernetes id names', () => {
      const fix = step(runbook, 'fix');
      expect(fix.memoryLimitFix).toEqual({
        cluster: 'sandbox',
        namespace: 'finance',
        workloadKind: 'Deployment',
        workloadName: 'checkout-api',
        container: 'checkout-api',
        currentLimit: '512Mi',
        proposedLimit: '1Gi',
      });
      expect(texts(fix)).toEqual(
        expect.arrayContaining([
          `kubectl --context 'sandbox' -n 'finance' patch deployment 'checkout-api' --type strategic -p '{"spec":{"template":{"spec":{"containers":[{"name":"checkout-api","resources":{"limits":{"memory":"1Gi"}}}]}}}}'`,
          `kubectl --context 'sandbox' -n 'finance' set resources 'deployment/checkout-api' -c 'checkout-api' --limits=memory='1Gi'`,
        ]),
      );
      expect(fix.summary).toContain('from 512Mi to 1Gi');
    });

    it('asks for the fix before verifying, with commands to watch by hand', () => {
      const verify = step(runbook, 'verify');
      expect(verify.summary).toMatch(/^Apply the fix first/);
      expect(texts(verify)).toContain(
        "kubectl --context 'sandbox' -n 'finance' get pods -l 'backstage.io/kubernetes-id=checkout-api' -w",
      );
      expect(texts(verify, 'promql')[0]).toMatch(/^max by .*\/ max by/);
    });

    it('gives the node commands for the memory cgroup and the kernel log', () => {
      const kernel = texts(step(runbook, 'kernel'));
      expect(kernel).toEqual(
        expect.arrayContaining([
          `CID=$(crictl ps --name '^checkout-api$' --label 'io.kubernetes.pod.namespace=finance' --label 'io.kubernetes.pod.name=checkout-api-v1-abc' -q | head -n 1) && echo "$CID"`,
          `PID=$(crictl inspect --output go-template --template '{{.info.pid}}' "$CID") && echo "$PID"`,
          'nsenter -t "$PID" -n ss -ltnp',
          "dmesg -T | grep -i -e oom -e 'killed process'",
        ]),
      );
      expect(kernel.join('\n')).toContain('memory.peak');
      expect(kernel.join('\n')).toContain('memory.max_usage_in_bytes');
      expect(step(runbook, 'kernel').summary).toContain('Incident tab');
    });
  });

  describe('the Fix and Verify steps as the incident moves on', () => {
    it('is in progress once someone applied the fix, naming who and when', () => {
      const runbook = lab({
        incident: incident([
          {
            at: '2026-11-25T14:02:00.000Z',
            actor: 'user:default/jane',
            kind: 'fix-applied',
            stepId: 'fix',
            message: 'Raised limits.memory of checkout-api to 1Gi',
          },
        ]),
      });
      expect(step(runbook, 'fix').status).toBe('in-progress');
      expect(step(runbook, 'fix').summary).toContain(
        'Applied by user:default/jane at 14:02:00Z: Raised limits.memory',
      );
    });

    it('is done once the spec carries the fix, with the new limit as evidence', () => {
      const runbook = lab({
        fix: { observed: true, currentLimit: '1Gi' },
        verify: {
          since: '2026-11-25T14:03:00.000Z',
          windowSeconds: 600,
          progress: 0.2,
          checks: [
            { name: 'no OOM kill', passed: true, detail: 'none since 14:03' },
          ],
        },
      });
      const fix = step(runbook, 'fix');
      expect(fix.status).toBe('done');
      expect(fix.evidence[0].description).toBe(
        'limits.memory of container checkout-api in Deployment checkout-api is now 1Gi (was 512Mi)',
      );
      const verify = step(runbook, 'verify');
      expect(verify.status).toBe('in-progress');
      expect(verify.verify?.progress).toBe(0.2);
      expect(verify.summary).toContain('20% of 10 min');
    });

    it('is verified once the watch passed', () => {
      const runbook = lab({
        fix: { observed: true, currentLimit: '1Gi' },
        verify: {
          since: '2026-11-25T14:03:00.000Z',
          windowSeconds: 600,
          progress: 1,
          checks: [],
          passedAt: '2026-11-25T14:13:00.000Z',
        },
      });
      expect(step(runbook, 'verify').status).toBe('done');
      expect(step(runbook, 'verify').summary).toContain('passed at');
    });

    it('keeps following the open incident when the diagnosis turns healthy', () => {
      const runbook = buildRunbook(
        runbookInputs(healthyService(), {
          incident: incident(),
          fix: { observed: true, message: 'limits.memory is 1Gi' },
        }),
      );
      expect(runbook.hypothesis).toBe('memory-limit-too-low');
      expect(runbook.recommendation).toBeUndefined();
      expect(step(runbook, 'fix').title).toBe('Raise the memory limit');
      expect(step(runbook, 'fix').status).toBe('done');
      expect(step(runbook, 'verify').status).toBe('in-progress');
    });
  });

  it('asks nothing of anyone once the incident is resolved', () => {
    const closedAt = '2026-11-25T13:40:00.000Z';
    const runbook = buildRunbook(
      runbookInputs(labOom(), {
        incident: incident([], { status: 'resolved', closedAt }),
        fix: { observed: true, message: 'limits.memory is 1Gi' },
        verify: {
          since: '2026-11-25T13:20:00.000Z',
          windowSeconds: 900,
          progress: 1,
          checks: [],
          passedAt: closedAt,
        },
      }),
    );
    // Node forensics never ran: the kernel step was not needed.
    expect(step(runbook, 'kernel')).toMatchObject({
      status: 'skipped',
      skippedReason: 'Not needed: the incident was resolved without it',
    });
    expect(runbook.steps.some(s => s.status === 'needs-person')).toBe(false);
    expect(step(runbook, 'fix').status).toBe('done');
    expect(step(runbook, 'verify').status).toBe('done');
  });

  describe('steps a person marked', () => {
    it('take the status, and say who, when and why', () => {
      const runbook = lab({
        incident: incident([
          {
            at: '2026-11-25T14:01:00.000Z',
            actor: 'user:default/jane',
            kind: 'step-skipped',
            stepId: 'kernel',
            message: 'The node was replaced',
          },
          {
            at: '2026-11-25T14:02:00.000Z',
            actor: 'user:default/sam',
            kind: 'step-completed',
            stepId: 'logs',
            message: 'Read them in Grafana',
          },
        ]),
      });
      expect(step(runbook, 'kernel')).toMatchObject({
        status: 'skipped',
        skippedReason: 'The node was replaced',
      });
      expect(step(runbook, 'kernel').summary).toMatch(
        /^Skipped by user:default\/jane at 14:01:00Z: The node was replaced\./,
      );
      expect(step(runbook, 'logs').summary).toMatch(
        /^Marked done by user:default\/sam at 14:02:00Z/,
      );
    });

    it('keep the newest mark of a step', () => {
      const runbook = lab({
        incident: incident([
          {
            at: '2026-11-25T14:01:00.000Z',
            actor: 'user:default/jane',
            kind: 'step-skipped',
            stepId: 'kernel',
            message: 'Later',
          },
          {
            at: '2026-11-25T14:04:00.000Z',
            actor: 'user:default/jane',
            kind: 'step-completed',
            stepId: 'kernel',
            message: 'Ran it by hand',
          },
        ]),
      });
      expect(step(runbook, 'kernel').status).toBe('done');
      expect(step(runbook, 'kernel').skippedReason).toBeUndefined();
    });
  });

  describe('the Kernel step and node forensics', () => {
    it('is in progress while a run is pending or running', () => {
      const runbook = lab({ forensicsRuns: [forensicsRun('running')] });
      expect(step(runbook, 'kernel').status).toBe('in-progress');
      expect(step(runbook, 'kernel').summary).toContain(
        'running on checkout-api-v1-abc (node worker-1), asked by user:default/jane',
      );
    });

    it('is done with the verdict and the cgroup facts of a succeeded run', () => {
      const runbook = lab({ forensicsRuns: [forensicsRun('succeeded')] });
      const kernel = step(runbook, 'kernel');
      expect(kernel.status).toBe('done');
      expect(kernel.evidence.every(e => e.source === 'forensics')).toBe(true);
      expect(kernel.evidence[0].description).toMatch(/OOM/);
      expect(kernel.evidence.map(e => e.description)).toContainEqual(
        expect.stringMatching(/^Memory cgroup.*OOM kills/),
      );
    });

    it('waits for a person after a failed run, with the reason', () => {
      const runbook = lab({
        forensicsRuns: [forensicsRun('failed'), forensicsRun('succeeded')],
        incident: incident([], { openedAt: '2026-11-25T14:00:50.000Z' }),
      });
      expect(step(runbook, 'kernel').status).toBe('needs-person');
      expect(step(runbook, 'kernel').summary).toContain(
        'failed: The Job did not start within 60 s',
      );
    });

    it('does not count a run from before the incident', () => {
      const runbook = lab({
        forensicsRuns: [forensicsRun('succeeded')],
        incident: incident([], { openedAt: '2026-11-25T14:02:00.000Z' }),
      });
      expect(step(runbook, 'kernel').status).toBe('needs-person');
      expect(step(runbook, 'kernel').summary).toContain(
        'predates this incident',
      );
    });

    it('is skipped with the reason when node forensics is off, commands kept', () => {
      const runbook = lab({
        forensicsDisabled:
          'Node forensics is disabled on this Backstage instance',
      });
      expect(step(runbook, 'kernel')).toMatchObject({
        status: 'skipped',
        skippedReason: 'Node forensics is disabled on this Backstage instance',
      });
      expect(step(runbook, 'kernel').commands.length).toBeGreaterThan(0);
    });
  });

  describe('when a source did not answer', () => {
    it('Triage waits for a person, with the Prometheus error', () => {
      const runbook = buildRunbook(runbookInputs(labOomWithoutPrometheus()));
      const triage = step(runbook, 'triage');
      expect(triage.status).toBe('needs-person');
      expect(triage.summary).toMatch(/^Prometheus did not answer \(sandbox: /);
      expect(texts(triage, 'promql').length).toBeGreaterThan(0);
    });

    it('Logs waits for a person, with kubectl logs --previous to read instead', () => {
      const runbook = buildRunbook(runbookInputs(labOomWithoutLoki()));
      const logs = step(runbook, 'logs');
      expect(logs.status).toBe('needs-person');
      expect(logs.summary).toMatch(/^Loki did not answer \(sandbox: /);
      expect(texts(logs)).toContain(
        "kubectl --context 'sandbox' -n 'finance' logs 'checkout-api-v1-abc' -c 'checkout-api' --previous --tail=200",
      );
    });
  });

  describe('for other hypotheses', () => {
    it('a leak: the limit only buys time, heap commands for several runtimes', () => {
      const runbook = buildRunbook(runbookInputs(memoryLeak()));
      expect(runbook.hypothesis).toBe('memory-leak');
      const fix = step(runbook, 'fix');
      expect(fix.summary).toMatch(/^Raising the limit only buys time/);
      const commands = texts(fix).join('\n');
      expect(commands).toContain('/proc/1/status');
      expect(commands).toContain('jcmd 1 GC.heap_dump');
      expect(commands).toContain('kill -USR2 1');
      expect(commands).toContain('debug/pprof/heap');
      expect(fix.memoryLimitFix?.proposedLimit).toBeDefined();
    });

    it('a crash: previous logs and a rollback, no node forensics, no memory fix', () => {
      const runbook = buildRunbook(runbookInputs(appCrash()));
      expect(runbook.hypothesis).toBe('application-crash');
      expect(step(runbook, 'kernel').status).toBe('skipped');
      expect(step(runbook, 'fix').memoryLimitFix).toBeUndefined();
      expect(texts(step(runbook, 'fix'))).toEqual(
        expect.arrayContaining([
          expect.stringContaining(
            "logs 'checkout-api-v1-abc' -c 'checkout-api' --previous",
          ),
          "kubectl --context 'sandbox' -n 'finance' rollout undo 'deployment/checkout-api'",
        ]),
      );
    });

    it("a runtime's own cap below the limit: raise that cap, not limits.memory", () => {
      const base = runbookInputs(labOom());
      const runbook = buildRunbook({
        ...base,
        // Exits after a MemoryError at the runtime's cap, never OOMKilled;
        // the diagnosis proposes no limit.
        replicas: {
          ...base.replicas,
          replicas: base.replicas.replicas.map(r => ({
            ...r,
            restartCount: 14,
            lastTermination: { reason: 'Error', exitCode: 1 },
            limits: { memoryBytes: 1024 * 1024 * 1024, cpuCores: 1 },
          })),
        },
        diagnosis: {
          ...base.diagnosis,
          recommendation: {
            summary:
              'Raise the memory cap of the runtime in container checkout-api (JVM -Xmx or -XX:MaxRAMPercentage, Node.js --max-old-space-size): it ran out of memory at about 600Mi, 59% of its 1Gi limit, so limits.memory is not what stops it.',
          },
        },
      });
      expect(runbook.hypothesis).toBe('memory-limit-too-low');
      const fix = step(runbook, 'fix');
      expect(fix.title).toBe("Raise the runtime's memory cap");
      expect(fix.memoryLimitFix).toBeUndefined();
      expect(fix.summary).toMatch(
        /^Raise the memory cap of the runtime in container checkout-api of Deployment checkout-api \(sandbox, namespace finance\): it exits after its own memory error at about 509Mi, 50% of its 1Gi limit, so raising limits\.memory alone will not help\./,
      );
      for (const setting of [
        'JAVA_TOOL_OPTIONS=-Xmx',
        'NODE_OPTIONS=--max-old-space-size=',
        'DOTNET_GCHeapHardLimit=',
        'ulimit -v',
        'Keep limits.memory at least 25% above the new cap',
      ]) {
        expect(fix.summary).toContain(setting);
      }
      const commands = texts(fix);
      expect(commands[0]).toBe(
        `kubectl --context 'sandbox' -n 'finance' get deployment 'checkout-api' -o jsonpath='{range .spec.template.spec.containers[?(@.name=="checkout-api")]}{"command: "}{.command}{"\\nargs: "}{.args}{"\\nenv: "}{.env}{"\\n"}{end}'`,
      );
      expect(commands.join('\n')).not.toMatch(
        /"memory":|--limits=memory|set resources/,
      );
      expect(commands.join('\n')).toContain('rollout status');
      // No OOM kill to count or watch for: the exits are what must stop.
      expect(runbook.steps.map(s => s.title)).toEqual([
        'Compare the working set with the memory limit',
        "Find the runtime's memory errors",
        'Count the exits after a memory error',
        'Confirm the memory cgroup saw no OOM kill',
        "Raise the runtime's memory cap",
        'Watch the memory-error exits stop',
      ]);
      const verify = step(runbook, 'verify').commands.map(c => c.label);
      expect(verify).toContainEqual(
        expect.stringMatching(/^Restarts in the last 10 minutes; stays 0/),
      );
      expect(verify).not.toContainEqual(
        expect.stringMatching(/^Working set \/ memory limit/),
      );
    });

    it('one replica of three OOMKilled: the Fix and Replicas steps name it', () => {
      const base = runbookInputs(labOom());
      const [killed] = base.replicas.replicas;
      const others = ['checkout-api-v1-def', 'checkout-api-v1-ghi'].map(pod =>
        replica(pod, { limits: killed.limits }),
      );
      const runbook = buildRunbook({
        ...base,
        replicas: { ...base.replicas, replicas: [killed, ...others] },
      });
      expect(step(runbook, 'replicas').summary).toMatch(
        /^1 of 3 containers in trouble \(checkout-api-v1-abc\): /,
      );
      const fix = step(runbook, 'fix');
      expect(fix.summary).toContain(
        'Only checkout-api-v1-abc of 3 replicas was OOMKilled: find what it does differently from the others',
      );
      expect(fix.memoryLimitFix?.proposedLimit).toBe('1Gi');
      expect(texts(fix)).toContain(
        "kubectl --context 'sandbox' -n 'finance' logs 'checkout-api-v1-abc' -c 'checkout-api' --previous --tail=200",
      );
      // Every replica killed: nothing to single out.
      expect(step(lab(), 'fix').summary).not.toContain('Only ');
      expect(step(lab(), 'replicas').summary).toMatch(
        /^2 of 2 containers in trouble: /,
      );
    });

    it('CPU throttling: raise to twice the limit, or remove it', () => {
      const runbook = buildRunbook(runbookInputs(cpuThrottling()));
      expect(runbook.hypothesis).toBe('cpu-throttling');
      const limit = runbookInputs(cpuThrottling()).replicas.replicas[0].limits
        .cpuCores!;
      const fix = texts(step(runbook, 'fix')).join('\n');
      expect(fix).toContain(`--limits=cpu='${Math.round(limit * 2000)}m'`);
      expect(fix).toContain('"limits":{"cpu":null}');
    });

    it('a network fault: endpoints and policies, no change to the pod spec', () => {
      const runbook = buildRunbook(runbookInputs(networkFault()));
      expect(runbook.hypothesis).toBe('network-fault');
      const fix = texts(step(runbook, 'fix')).join('\n');
      expect(fix).toContain("-n 'finance' get endpoints");
      expect(fix).toContain("-n 'finance' get networkpolicy");
      expect(fix).not.toMatch(/patch|set resources/);
      expect(texts(step(runbook, 'kernel'))).toContain(
        'nsenter -t "$PID" -n ip addr',
      );
    });

    it('healthy: every step skipped because no problem was found', () => {
      const runbook = buildRunbook(runbookInputs(healthyService()));
      expect(runbook.hypothesis).toBe('healthy');
      for (const s of runbook.steps) {
        expect(s.status).toBe('skipped');
        expect(s.skippedReason).toMatch(/^No problem found/);
      }
      expect(step(runbook, 'fix').commands).toEqual([]);
    });
  });

  describe('the workload a fix changes', () => {
    const withPods = (
      pods: string[],
      overrides: Partial<RunbookInputs> = {},
    ) => {
      const input = labOom();
      input.replicas = pods.map(pod =>
        replica(pod, {
          restartCount: 3,
          ready: false,
          lastTermination: { reason: 'OOMKilled', exitCode: 137 },
          limits: { memoryBytes: 512 * 1024 * 1024, cpuCores: 1 },
        }),
      );
      return step(buildRunbook(runbookInputs(input, overrides)), 'fix');
    };

    it('is a StatefulSet when the pods are <name>-<ordinal>', () => {
      const fix = withPods(['checkout-api-0', 'checkout-api-1']);
      expect(fix.memoryLimitFix).toMatchObject({
        workloadKind: 'StatefulSet',
        workloadName: 'checkout-api',
      });
      expect(texts(fix).join('\n')).toContain('patch statefulset');
    });

    it("comes from the selector's app label when there is no kubernetes id", () => {
      const base = runbookInputs(labOom());
      const fix = withPods(['payments-7d9f8b6c5-x2k4q'], {
        workload: {
          ...base.workload,
          kubernetesId: undefined,
          labelSelector: 'app=payments,tier=backend',
        },
      });
      expect(fix.memoryLimitFix?.workloadName).toBe('payments');
    });

    it("is the name the pods are named after, not a selector's shorter app label", () => {
      const base = runbookInputs(labOom());
      const workload = {
        ...base.workload,
        kubernetesId: undefined,
        labelSelector: 'app=auth,tier=backend',
      };
      const input = labOom();
      input.replicas = [
        'auth-service-7b6c5d4f9-c8n2x',
        'auth-service-7b6c5d4f9-r4p6w',
      ].map(pod =>
        replica(pod, {
          restartCount: 3,
          lastTermination: { reason: 'OOMKilled', exitCode: 137 },
          limits: { memoryBytes: 512 * 1024 * 1024, cpuCores: 1 },
        }),
      );
      const runbook = buildRunbook(runbookInputs(input, { workload }));
      expect(step(runbook, 'fix').memoryLimitFix?.workloadName).toBe(
        'auth-service',
      );
      const all = runbook.steps.flatMap(s => texts(s)).join('\n');
      expect(all).toContain("'deployment/auth-service'");
      expect(all).not.toMatch(/deployment[ /]'?auth'/);
      expect(texts(step(runbook, 'replicas'))[0]).toContain(
        "-l 'app=auth,tier=backend'",
      );
      // The queries select the pods by the Deployment's pod names.
      expect(texts(step(runbook, 'verify'), 'promql').join('\n')).toContain(
        'pod=~"(?:auth-service-[',
      );
    });

    it('is asked of Kubernetes when the pod names tell nothing', () => {
      const base = runbookInputs(labOom());
      const fix = withPods(['alpha', 'beta'], {
        workload: {
          ...base.workload,
          kubernetesId: undefined,
          labelSelector: 'team=payments',
        },
      });
      expect(fix.memoryLimitFix).toBeUndefined();
      expect(fix.summary).toContain('cannot be told from their names');
      expect(texts(fix)[0]).toContain("get pod 'alpha' -o jsonpath=");
    });
  });

  it('leaves out a command whose value cannot be shown in a shell', () => {
    const input = labOom();
    input.replicas = [
      replica('checkout-api-v1-abc\u001b[2J', { restartCount: 1 }),
    ];
    const runbook = buildRunbook(runbookInputs(input));
    const all = runbook.steps.flatMap(s => s.commands.map(c => c.text));
    expect(all.some(t => t.includes('\u001b'))).toBe(false);
    expect(texts(step(runbook, 'replicas'))).not.toContainEqual(
      expect.stringContaining('describe pod'),
    );
  });
});
