import {
  event,
  labOom,
  networkFault,
  probeMisconfiguration,
} from '../../__testUtils__/evidence';
import { parseProbe, probeFailures, probeKills } from './probeFacts';

const POD = 'checkout-api-v1-abc';

describe('parseProbe', () => {
  it('a liveness probe on a port where nothing listens', () => {
    const [unhealthy] = probeMisconfiguration().events;
    expect(parseProbe(unhealthy)).toEqual({
      event: unhealthy,
      probe: 'liveness',
      cause: 'connection-refused',
      target: 'http://10.0.0.5:8081/health',
      status: undefined,
    });
  });

  it('a readiness probe timing out', () => {
    const [unhealthy] = networkFault().events;
    expect(parseProbe(unhealthy)).toMatchObject({
      probe: 'readiness',
      cause: 'timeout',
      target: 'http://10.0.1.21:8080/actuator/health/readiness',
    });
  });

  it('a readiness probe answered with a status', () => {
    expect(
      parseProbe(
        event(
          POD,
          'Unhealthy',
          'Readiness probe failed: HTTP probe failed with statuscode: 404',
        ),
      ),
    ).toMatchObject({ probe: 'readiness', cause: 'http-status', status: 404 });
  });

  it('a startup probe over TCP names the address it dialled', () => {
    expect(
      parseProbe(
        event(
          POD,
          'Unhealthy',
          'Startup probe failed: dial tcp 10.0.0.7:5432: i/o timeout',
        ),
      ),
    ).toMatchObject({
      probe: 'startup',
      cause: 'timeout',
      target: '10.0.0.7:5432',
    });
  });

  it('ignores other events and other Unhealthy messages', () => {
    expect(
      parseProbe(event(POD, 'BackOff', 'Back-off restarting failed container')),
    ).toBeUndefined();
    expect(
      parseProbe(event(POD, 'Unhealthy', 'Node is not ready')),
    ).toBeUndefined();
  });
});

describe('probeFailures and probeKills', () => {
  it('finds the failures and the kubelet kills among pod events', () => {
    const { events } = probeMisconfiguration();
    expect(probeFailures(events).map(f => [f.event.pod, f.probe])).toEqual([
      ['checkout-api-v1-abc', 'liveness'],
      ['checkout-api-v1-xyz', 'liveness'],
    ]);
    expect(probeKills(events).map(e => [e.pod, e.count])).toEqual([
      ['checkout-api-v1-abc', 12],
      ['checkout-api-v1-xyz', 12],
    ]);
  });

  it('a kill that was not after a failed probe is not a probe kill', () => {
    const events = [
      event(POD, 'Killing', 'Stopping container checkout-api', 1, 'Normal'),
      ...labOom().events,
    ];
    expect(probeKills(events)).toEqual([]);
    expect(probeFailures(events).map(f => f.cause)).toEqual([
      'connection-refused',
      'connection-refused',
    ]);
  });
});
