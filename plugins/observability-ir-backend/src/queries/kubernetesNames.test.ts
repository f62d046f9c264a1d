import { isDnsLabel, isDnsSubdomain } from './kubernetesNames';

describe('Kubernetes names', () => {
  it.each([
    ['finance', true],
    ['a', true],
    ['checkout-api-v1', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['Finance', false],
    ['-finance', false],
    ['finance-', false],
    ['fin.ance', false],
    ['', false],
    ['finance\n', false],
  ])('DNS label %j: %s', (name, valid) => {
    expect(isDnsLabel(name)).toBe(valid);
  });

  const label = 'a'.repeat(63);
  it.each([
    ['checkout-api-v1-abc', true],
    ['node-1.eu-west.internal', true],
    [[label, label, label, 'a'.repeat(61)].join('.'), true],
    [[label, label, label, 'a'.repeat(62)].join('.'), false],
    ['node..internal', false],
    ['.node', false],
    ['Node-1', false],
    ['node_1', false],
    ['', false],
  ])('DNS subdomain %j: %s', (name, valid) => {
    expect(isDnsSubdomain(name)).toBe(valid);
  });
});
