import { InputError } from '@backstage/errors';
import { execFileSync } from 'node:child_process';
import { HOSTILE_INPUTS } from '../__testUtils__/queries/hostileInputs';
import { joinShell, sh, shellQuote, ShellText } from './shell';

/** The arguments a command receives when a POSIX shell runs the text. */
function argumentsOf(text: string): string[] {
  const printed = execFileSync(
    'sh',
    ['-c', `cmd() { printf '%s\\0' "$@"; }\n${text}`],
    { encoding: 'utf8' },
  );
  return printed.split('\0').slice(0, -1);
}

/** The test's own idea of what a pasted command cannot show faithfully. */
function unprintable(value: string): boolean {
  return /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\uD800-\uDFFF]/u.test(
    value,
  );
}

describe('sh', () => {
  it('quotes every interpolated value and keeps the template as written', () => {
    const command = sh`cmd -n ${'finance'} describe pod ${"it's"}`;
    expect(command.text).toBe(`cmd -n 'finance' describe pod 'it'\\''s'`);
    expect(argumentsOf(command.text)).toEqual([
      '-n',
      'finance',
      'describe',
      'pod',
      "it's",
    ]);
  });

  it('keeps a value glued to an option in the same argument', () => {
    expect(argumentsOf(sh`cmd --limits=memory=${'1Gi'}`.text)).toEqual([
      '--limits=memory=1Gi',
    ]);
  });

  it('inserts shell text as written and numbers as digits', () => {
    const prefix = sh`cmd -n ${'a b'}`;
    expect(argumentsOf(sh`${prefix} get ${3}`.text)).toEqual([
      '-n',
      'a b',
      'get',
      '3',
    ]);
    expect(
      argumentsOf(
        sh`cmd ${joinShell([sh`${'x'}`, undefined, false, sh`${'y z'}`])}`.text,
      ),
    ).toEqual(['x', 'y z']);
  });

  it('refuses a value that would start an option, or an odd number', () => {
    expect(() => sh`cmd describe pod ${'-rf'}`).toThrow(InputError);
    expect(() => sh`${'-x'}`).toThrow(InputError);
    expect(sh`cmd --name=${'-x'}`.text).toBe(`cmd --name='-x'`);
    expect(() => sh`cmd ${-1}`).toThrow(InputError);
    expect(() => sh`cmd ${1.5}`).toThrow(InputError);
  });

  it('refuses an empty value: it would drop an option value silently', () => {
    expect(() => sh`cmd -n ${''}`).toThrow(InputError);
    expect(() => shellQuote('', 'kubectl context')).toThrow(
      'The kubectl context must not be empty',
    );
  });

  describe.each(HOSTILE_INPUTS)('hostile input: %s', (_label, value) => {
    it('reaches the command as one argument, exactly, or is refused', () => {
      let outcome: string[] | 'refused';
      try {
        outcome = argumentsOf(sh`cmd --value ${value} --glued=${value}`.text);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        outcome = 'refused';
      }
      const refused =
        value === '' || value.startsWith('-') || unprintable(value);
      expect(outcome).toEqual(
        refused ? 'refused' : ['--value', value, `--glued=${value}`],
      );
    });
  });

  it('is the only way to make shell text', () => {
    expect(sh`cmd`).toBeInstanceOf(ShellText);
    expect(String(sh`cmd ${'a'}`)).toBe(`cmd 'a'`);
  });
});
