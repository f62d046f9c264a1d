import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  parseScenario,
  ScenarioError,
  SCENARIOS_DIR,
} from '../scenario/loader';
import { expandTemplate } from './template';
import { labelsFingerprint, matcherMatches, parseMatcher } from './matchers';

const data = (value: number, labels: Record<string, string> = {}) => ({
  labels,
  value,
});

describe('alert templates', () => {
  it('expands labels and the value as Prometheus does', () => {
    expect(
      expandTemplate(
        'A',
        'Pod {{ $labels.namespace }}/{{ .Labels.pod }} ({{ $labels.container }}) is restarting {{ printf "%.2f" $value }} times',
        data(3.0769230769, {
          namespace: 'finance',
          pod: 'p-1',
          container: 'c',
        }),
      ),
    ).toBe('Pod finance/p-1 (c) is restarting 3.08 times');
    expect(expandTemplate('A', '{{ $value }}', data(0.5))).toBe('0.5');
    expect(expandTemplate('A', '[{{ $labels.missing }}]', data(1))).toBe('[]');
  });

  it('formats numbers with the humanize functions', () => {
    const t = (text: string, v: number) => expandTemplate('A', text, data(v));
    expect(t('{{ $value | humanizePercentage }}', 0.9523)).toBe('95.23%');
    expect(t('{{ $value | humanizePercentage }}', 0.9)).toBe('90%');
    expect(t('{{ humanize $value }}', 1234567)).toBe('1.235M');
    expect(t('{{ humanize $value }}', 0.0123)).toBe('12.3m');
    expect(t('{{ $value | humanize1024 }}', 536870912)).toBe('512Mi');
    expect(t('{{ $value | humanizeDuration }}', 3725)).toBe('1h 2m 5s');
    expect(t('{{ $value | humanizeDuration }}', 12.5)).toBe('12.5s');
    expect(t('{{ printf "%d" $value }}', 3)).toBe('%!d(float64=3)');
  });

  it('writes an expansion error into the text as Prometheus does', () => {
    expect(
      expandTemplate('A', '{{ humanize $labels.pod }}', data(1, { pod: 'x' })),
    ).toBe(
      '<error expanding template: template: __alert_A: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax>',
    );
  });
});

describe('Alertmanager matchers', () => {
  it('parses quoted, unquoted and regex matchers', () => {
    expect(parseMatcher('alertname="KubePodCrashLooping"')).toEqual({
      name: 'alertname',
      op: '=',
      value: 'KubePodCrashLooping',
    });
    expect(parseMatcher(' severity != warning ')).toMatchObject({
      name: 'severity',
      op: '!=',
      value: 'warning',
    });
    const regex = parseMatcher('namespace=~"fin.*"');
    expect(matcherMatches(regex, { namespace: 'finance' })).toBe(true);
    // Anchored at both ends, as Alertmanager compiles ^(?:…)$.
    expect(
      matcherMatches(parseMatcher('namespace=~fin'), { namespace: 'finance' }),
    ).toBe(false);
    expect(matcherMatches(parseMatcher('team!~".+"'), {})).toBe(true);
    expect(parseMatcher('msg="say \\"hi\\""').value).toBe('say "hi"');
  });

  it('refuses what Alertmanager refuses, with its messages', () => {
    expect(() => parseMatcher('broken-matcher')).toThrow(
      'bad matcher format: broken-matcher',
    );
    expect(() => parseMatcher('{alertname="X"}')).toThrow(
      'bad matcher format: {alertname="X"}',
    );
    expect(() => parseMatcher('job="unterminated')).toThrow(
      'matcher value contains unescaped double quote: "unterminated',
    );
    expect(() => parseMatcher('job=~"(unclosed"')).toThrow(
      /^error parsing regexp: /,
    );
  });

  it('fingerprints label sets as Prometheus and Alertmanager do', () => {
    // The reference values of prometheus/common's model tests.
    expect(labelsFingerprint({})).toBe('cbf29ce484222325');
    expect(
      labelsFingerprint({
        name: 'garland, briggs',
        fear: 'love is not enough',
      }),
    ).toBe(5799056148416392346n.toString(16).padStart(16, '0'));
  });
});

describe('alert rules in scenario files', () => {
  const lab = () =>
    YAML.parse(
      fs.readFileSync(path.join(SCENARIOS_DIR, 'checkout-oom.yaml'), 'utf8'),
    );

  const problems = (alertRules: unknown) => {
    try {
      parseScenario({ ...lab(), alertRules }, 'rules.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      return (e as Error).message;
    }
    throw new Error('the scenario loaded');
  };

  it('loads the lab rules with Prometheus defaults', () => {
    const scenario = parseScenario(lab(), 'checkout-oom.yaml');
    expect(scenario.alertRules?.map(g => g.name)).toEqual([
      'kubernetes-apps',
      'kubernetes-resources',
    ]);
    const [crash] = scenario.alertRules![0].rules;
    expect(crash).toMatchObject({
      alert: 'KubePodCrashLooping',
      for: '15m',
      labels: { severity: 'warning' },
    });
    const defaults = parseScenario(
      {
        ...lab(),
        alertRules: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0' }] }],
      },
      'x.yaml',
    ).alertRules![0];
    expect(defaults).toEqual({
      name: 'g',
      interval: '1m',
      rules: [
        { alert: 'A', expr: 'up == 0', for: '0s', labels: {}, annotations: {} },
      ],
    });
  });

  it('names the file and the field of every mistake', () => {
    const message = problems([
      {
        name: 'apps',
        interval: 'soon',
        rules: [
          { alert: 'A', expr: 'rate(up[5m]', for: '15m' },
          { alert: 'B', expr: 'up == 0', for: 'a while' },
          {
            alert: 'C',
            expr: 'up == 0',
            annotations: { summary: '{{ if $value }}down{{ end }}' },
          },
          { alert: 'D', expr: 'up == 0', labels: { 'bad-name': 'x' } },
          { alert: 'E', expr: 'up', annotations: { d: '{{ $value | nope }}' } },
        ],
      },
    ]);
    expect(message).toMatch(/^invalid scenario rules\.yaml:/);
    expect(message).toContain('alertRules[0].interval: must be a duration');
    expect(message).toContain('alertRules[0].rules[1].for: must be a duration');
    expect(message).toContain('alertRules[0].rules[3].labels.bad-name');
    const semantic = problems([
      {
        name: 'apps',
        rules: [
          { alert: 'A', expr: 'rate(up[5m]' },
          {
            alert: 'C',
            expr: 'up',
            annotations: { s: '{{ if $value }}x{{ end }}' },
          },
          { alert: 'E', expr: 'up', annotations: { d: '{{ $value | nope }}' } },
        ],
      },
      { name: 'apps', rules: [{ alert: 'F', expr: 'up' }] },
    ]);
    expect(semantic).toContain('alertRules[0].rules[0].expr: ');
    expect(semantic).toContain(
      'alertRules[0].rules[1].annotations.s: template: "if" actions are not supported',
    );
    expect(semantic).toContain(
      'alertRules[0].rules[2].annotations.d: template: function "nope" not defined',
    );
    expect(semantic).toContain(
      'alertRules[1].name: duplicate rule group "apps"',
    );
  });

  it('refuses recording rules, which the sandbox does not evaluate', () => {
    expect(
      problems([
        {
          name: 'rec',
          rules: [{ alert: 'A', record: 'job:up:sum', expr: 'sum(up)' }],
        },
      ]),
    ).toContain(
      'alertRules[0].rules[0].record: recording rules are not evaluated',
    );
  });
});
