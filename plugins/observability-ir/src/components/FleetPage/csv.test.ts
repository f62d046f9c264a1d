import { csvCell, findingsToCsv } from './csv';
import { finding } from './__testUtils__/fleet';

describe('csvCell', () => {
  it('leaves plain text and numbers as they are', () => {
    expect(csvCell('checkout-api-7d9f')).toBe('checkout-api-7d9f');
    expect(csvCell(137)).toBe('137');
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(undefined)).toBe('');
  });

  it('quotes commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvCell('line 1\r\nline 2')).toBe('"line 1\r\nline 2"');
  });

  it('keeps text that starts like a formula from being evaluated', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(
      '"\'=HYPERLINK(""http://x"")"',
    );
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a=b')).toBe('a=b');
  });
});

describe('findingsToCsv', () => {
  it('writes a header and one CRLF-ended line per finding', () => {
    const csv = findingsToCsv([
      finding({ lastKilledAt: '2026-11-25T13:55:00Z' }),
      finding({
        pod: 'orphan,job',
        container: '=cmd|calc',
        reason: 'Error',
        exitCode: 1,
        owner: undefined,
        memoryLimitBytes: undefined,
        lastKilledAt: undefined,
        source: 'prometheus',
      }),
    ]);

    expect(csv.split('\r\n')).toEqual([
      'owner,entity,cluster,namespace,pod,container,reason,exitCode,restartsInRange,restartCount,lastKilledAt,memoryLimitBytes,source',
      'group:default/finance-team,component:default/checkout-api,prod,finance,checkout-api-7d9f-abcde,app,OOMKilled,137,4,12,2026-11-25T13:55:00Z,536870912,kubernetes',
      ',,prod,finance,"orphan,job",\'=cmd|calc,Error,1,4,12,,,prometheus',
      '',
    ]);
  });
});
