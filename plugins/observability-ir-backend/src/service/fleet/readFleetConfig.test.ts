import { ConfigReader } from '@backstage/config';
import { readFleetConfig } from './readFleetConfig';

const read = (fleet?: object) =>
  readFleetConfig(new ConfigReader({ observabilityIr: { fleet } }));

describe('readFleetConfig', () => {
  it('sweeps every 5 minutes, 500 pods a page, near OOM from 90%, by default', () => {
    expect(read()).toEqual({
      enabled: true,
      frequency: { minutes: 5 },
      timeout: { minutes: 4 },
      initialDelay: { seconds: 15 },
      nearOomShare: 0.9,
      pageSize: 500,
    });
  });

  it('reads the switch, the schedule and the share', () => {
    expect(
      read({
        enabled: false,
        nearOomShare: 0.8,
        sweep: { frequency: '15m', timeout: { minutes: 10 }, pageSize: 100 },
      }),
    ).toMatchObject({
      enabled: false,
      frequency: { minutes: 15 },
      timeout: { minutes: 10 },
      nearOomShare: 0.8,
      pageSize: 100,
    });
  });

  it.each([
    [{ nearOomShare: 0 }, /nearOomShare must be above 0 and at most 1/],
    [{ nearOomShare: 1.5 }, /nearOomShare must be above 0 and at most 1/],
    [
      { sweep: { pageSize: 1000 } },
      /pageSize must be a whole number from 1 to 500/,
    ],
    [
      { sweep: { pageSize: 2.5 } },
      /pageSize must be a whole number from 1 to 500/,
    ],
  ])('refuses %j', (fleet, message) => {
    expect(() => read(fleet)).toThrow(message);
  });
});
