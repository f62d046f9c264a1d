import { fullyMatches, ParsedMatcher, readQuery } from './queries/queryTree';
import { StubAnswer, StubRequest } from './stubServer';

/** A series a stub Prometheus holds: its metric, labels and samples. */
export interface HeldSeries {
  metric: string;
  labels: Record<string, string>;
  /** `[unix seconds, value]`, oldest first. */
  samples: Array<[number, number]>;
}

function matches(labels: Record<string, string>, matcher: ParsedMatcher) {
  const value = labels[matcher.name] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return fullyMatches(matcher.value, value);
    case '!~':
      return !fullyMatches(matcher.value, value);
    default:
      throw new Error(`unknown matcher operator ${matcher.op}`);
  }
}

/**
 * How a Prometheus holding these series answers: the series that the
 * query's first selector picks (metric and every matcher, read with the real
 * PromQL grammar), as a matrix for a range query or as a vector of their
 * newest samples for an instant query. Functions and aggregations around the
 * selector are not evaluated.
 */
export function answerFromSeries(
  held: HeldSeries[],
  request: StubRequest,
): StubAnswer {
  const [selector] = readQuery(
    request.params.get('query')!,
    'promql',
  ).selectors;
  const picked = held.filter(
    s =>
      s.metric === selector.metric &&
      selector.matchers.every(m => matches(s.labels, m)),
  );
  const data = request.path.endsWith('/query_range')
    ? {
        resultType: 'matrix',
        result: picked.map(s => ({
          metric: s.labels,
          values: s.samples.map(([t, v]) => [t, String(v)]),
        })),
      }
    : {
        resultType: 'vector',
        result: picked.map(s => {
          const [t, v] = s.samples[s.samples.length - 1];
          return { metric: s.labels, value: [t, String(v)] };
        }),
      };
  return { status: 200, body: { status: 'success', data } };
}
