import {
  appCrash,
  labOom,
  probeMisconfiguration,
  replica,
} from '../../__testUtils__/evidence';
import { isFailureExit, isSignalKill, wasOomKilled } from './exitFacts';

describe('wasOomKilled', () => {
  it('sees the OOM kill in the last termination or the current state', () => {
    expect(labOom().replicas.map(wasOomKilled)).toEqual([true, true]);
    expect(
      wasOomKilled(
        replica('checkout-api-v1-abc', {
          current: { state: 'terminated', reason: 'OOMKilled' },
        }),
      ),
    ).toBe(true);
    expect(appCrash().replicas.map(wasOomKilled)).toEqual([false, false]);
    expect(wasOomKilled(replica('checkout-api-v1-abc'))).toBe(false);
  });
});

describe('isFailureExit and isSignalKill', () => {
  const cases: Array<[string, string | undefined, number, boolean, boolean]> = [
    ['an application error', 'Error', 1, true, false],
    ['a completed process', 'Completed', 0, false, false],
    ['a kill by the kubelet (SIGKILL)', 'Error', 137, false, true],
    ['a stop (SIGTERM)', 'Error', 143, false, true],
    ['an OOM kill', 'OOMKilled', 137, false, false],
    ['an exit without a reason', undefined, 2, true, false],
  ];
  it.each(cases)('%s', (_, reason, exitCode, failure, signal) => {
    expect(isFailureExit({ reason, exitCode })).toBe(failure);
    expect(isSignalKill({ reason, exitCode })).toBe(signal);
  });

  it('tells the incidents apart', () => {
    const exits = (replicas: ReturnType<typeof labOom>['replicas']) =>
      replicas.map(r => r.lastTermination!);
    expect(exits(appCrash().replicas).every(isFailureExit)).toBe(true);
    expect(exits(probeMisconfiguration().replicas).every(isSignalKill)).toBe(
      true,
    );
    expect(exits(labOom().replicas).some(isSignalKill)).toBe(false);
  });
});
