import {
  countByOwner,
  filterFindings,
  ownerLabel,
  readFilters,
  sortByOwner,
  UNOWNED,
} from './filters';
import { fleetFindings } from './__testUtils__/fleet';

describe('the fleet filters', () => {
  it('reads the filters of a shared link, and an unknown range as 1h', () => {
    expect(
      readFilters(
        new URLSearchParams(
          'range=6h&cluster=prod&owner=group%3Adefault%2Ffinance-team',
        ),
      ),
    ).toEqual({
      range: '6h',
      cluster: 'prod',
      owner: 'group:default/finance-team',
    });
    expect(readFilters(new URLSearchParams('range=7d'))).toEqual({
      range: '1h',
    });
  });

  it('orders findings by owner group, then entity, unowned pods last', () => {
    const sorted = sortByOwner([...fleetFindings()].reverse());

    expect(sorted.map(f => f.pod)).toEqual([
      'checkout-api-7d9f-abcde',
      'ledger-5c4b-xyz12',
      'search-6f7a-qwert',
      'orphan-job-abc',
    ]);
    expect(countByOwner(sorted)).toEqual(
      new Map([
        ['group:default/finance-team', 2],
        ['group:default/storefront-team', 1],
        [UNOWNED, 1],
      ]),
    );
    expect(ownerLabel('group:default/finance-team')).toBe('finance-team');
    expect(ownerLabel('group:platform/sre')).toBe('platform/sre');
    expect(ownerLabel('user:default/jane')).toBe('user:jane');
    expect(ownerLabel(UNOWNED)).toBe('Unowned');
  });

  it('filters by every field together', () => {
    const findings = fleetFindings();
    expect(
      filterFindings(findings, { range: '1h', owner: UNOWNED }).map(f => f.pod),
    ).toEqual(['orphan-job-abc']);
    expect(
      filterFindings(findings, {
        range: '1h',
        cluster: 'prod',
        reason: 'Error',
      }).map(f => f.pod),
    ).toEqual(['ledger-5c4b-xyz12']);
  });
});
