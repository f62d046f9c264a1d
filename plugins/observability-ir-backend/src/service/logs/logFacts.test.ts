import { LogErrorGroup } from '@observability-ir/plugin-observability-ir-common';
import {
  appCrash,
  cpuThrottling,
  labOom,
  logGroup,
} from '../../__testUtils__/evidence';
import {
  classifyLogs,
  NOTABLE_LOG_LINES,
  notableLogs,
  rootCause,
} from './logFacts';

const PODS = ['checkout-api-v1-abc'];

function withStackTrace(
  group: LogErrorGroup,
  stackTrace: string[],
): LogErrorGroup {
  return { ...group, sample: { ...group.sample!, stackTrace } };
}

describe('classifyLogs', () => {
  it('sorts the groups of the incidents by what they are about', () => {
    const oom = labOom().logGroups[0];
    const slow = cpuThrottling().logGroups[0];
    const crash = appCrash().logGroups[0];
    const refused = logGroup(
      'io.grpc.StatusRuntimeException: UNAVAILABLE: io exception: connect ECONNREFUSED <ip>',
      40,
      PODS,
      'io.grpc.StatusRuntimeException',
    );
    expect(classifyLogs([oom, slow, crash, refused])).toEqual({
      memory: [oom],
      network: [refused],
      latency: [slow],
      exceptions: [crash],
    });
  });

  it('files a group under the first kind it matches: memory before network', () => {
    const group = logGroup(
      'Request timed out: java.lang.OutOfMemoryError: GC overhead limit exceeded',
      3,
      PODS,
    );
    expect(classifyLogs([group]).memory).toEqual([group]);
  });

  it('reads the causes of a stack trace but not its frames', () => {
    const base = logGroup(
      'ERROR <n> --- [ main] o.s.boot.SpringApplication : Application run failed',
      8,
      PODS,
    );
    const byCause = withStackTrace(base, [
      'org.springframework.beans.factory.BeanCreationException: Error creating bean',
      'Caused by: java.net.ConnectException: Connection refused',
    ]);
    const byFrame = withStackTrace(base, [
      'java.lang.IllegalStateException: bad configuration',
      '\tat com.example.net.SocketTimeoutPolicy.apply(SocketTimeoutPolicy.java:12)',
      '\t... 3 common frames omitted',
    ]);
    const logs = classifyLogs([byCause, byFrame]);
    expect(logs.network).toEqual([byCause]);
    expect(logs.exceptions).toEqual([byFrame]);
  });
});

describe('rootCause', () => {
  it("names the stack trace's last Caused by", () => {
    expect(rootCause(appCrash().logGroups[0])).toBe(
      'java.lang.NullPointerException: Cannot invoke "String.trim()" because "gatewayUrl" is null',
    );
  });

  it('else the first exception line, from the signature or the trace', () => {
    expect(rootCause(labOom().logGroups[0])).toBe(
      'java.lang.OutOfMemoryError: Java heap space',
    );
    const group = withStackTrace(logGroup('ERROR checkout failed', 4, PODS), [
      'java.lang.IllegalArgumentException: amount must be positive',
      '\tat com.example.Checkout.pay(Checkout.java:7)',
    ]);
    expect(rootCause(group)).toBe(
      'java.lang.IllegalArgumentException: amount must be positive',
    );
  });

  it('else the exception class, else nothing', () => {
    expect(
      rootCause(logGroup('panic: runtime error', 2, PODS, 'RuntimeError')),
    ).toBe('RuntimeError');
    expect(rootCause(logGroup('upstream connect error', 2, PODS))).toBe(
      undefined,
    );
  });
});

describe('notableLogs', () => {
  it(`keeps the groups of ${NOTABLE_LOG_LINES} lines or more`, () => {
    const groups = [9, 10, 88].map(count =>
      logGroup(`error ${count}`, count, PODS),
    );
    expect(notableLogs(groups).map(g => g.count)).toEqual([10, 88]);
  });
});
