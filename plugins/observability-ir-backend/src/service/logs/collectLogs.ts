import {
  ExecutedQuery,
  LogErrorGroup,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { errorLogs, PodScope } from '../../queries';
import {
  ErrorLogEntry,
  groupErrorLines,
  toErrorLogEntry,
} from './groupErrorLines';
import { LocatedWorkload } from '../fanout/locatePods';
import { askSource } from '../fanout/sourceStatus';
import {
  asSpeculated,
  podSelector,
  reconcile,
  SpeculatedWorkload,
  SpeculationCounters,
} from '../fanout/speculation';
import type { LokiStream } from '../../clients/LokiClient';
import { ResolvedRange } from '../fanout/timeRange';

/** Error logs of an entity over a range, grouped and as read. */
export interface CollectedLogs {
  groups: LogErrorGroup[];
  /** Every entry read, oldest first, for the timeline. */
  entries: ErrorLogEntry[];
  truncated: boolean;
  queries: ExecutedQuery[];
  sources: SourceStatus[];
}

type LokiAnswer = { streams: LokiStream[]; warnings: string[] };

const linesOf = (answer: LokiAnswer) =>
  answer.streams.reduce((n, s) => n + s.values.length, 0);

/**
 * Reads the error lines of every scope of every cluster from Loki in
 * parallel, newest first up to the line limit, and groups them. Where the
 * pods are still being listed, Loki is asked about the speculative scope at
 * once and its streams are narrowed to the listed pods' scopes when the
 * list arrives; a scope the speculation missed, or whose lines the limit
 * may have cut, is asked again on its own.
 */
export async function collectLogs(
  located: Array<LocatedWorkload | SpeculatedWorkload>,
  range: ResolvedRange,
  options: {
    lokiSelector?: string;
    maxLines: number;
    counters?: SpeculationCounters;
  },
): Promise<CollectedLogs> {
  const { lokiSelector, maxLines } = options;
  const queries: ExecutedQuery[] = [];
  const perCluster = await Promise.all(
    located.map(asSpeculated).map(workload => {
      const { connection } = workload;
      return askSource(connection, 'loki', async () => {
        // A bad selector annotation fails this source, with its reason.
        const logqlOf = (scope: PodScope) =>
          errorLogs(scope, { selectorAnnotation: lokiSelector });
        const { answers: scoped } = await reconcile<LokiAnswer>({
          workload,
          counters: options.counters,
          ask: scope =>
            connection.loki!.queryRange(logqlOf(scope), {
              startSeconds: range.startSeconds,
              endSeconds: range.endSeconds,
              limit: maxLines,
            }),
          narrow: (answer, exact, { askedNamespace, shared }) => {
            const selects = podSelector(exact, askedNamespace);
            const streams = answer.streams.filter(s => selects(s.stream));
            const narrowed = { ...answer, streams };
            // At the limit, the newest lines of other pods may have taken
            // the place of older lines of these.
            if (
              linesOf(answer) >= maxLines &&
              (shared || linesOf(narrowed) < linesOf(answer))
            ) {
              return undefined;
            }
            return { answer: narrowed, kept: streams.length };
          },
          size: answer => answer.streams.length,
          onLocated: ({ scopes }) =>
            queries.push(
              ...scopes.map(scope => ({
                name: 'error lines',
                cluster: connection.name,
                query: logqlOf(scope),
              })),
            ),
        });
        const answers = scoped.map(({ answer }) => answer);
        const entries = answers.flatMap(answer =>
          answer.streams.flatMap(stream =>
            stream.values.map(([nanoseconds, text]) =>
              toErrorLogEntry(
                {
                  timeMs: Number(BigInt(nanoseconds) / 1_000_000n),
                  cluster: connection.name,
                  pod: stream.stream.pod ?? '',
                  ...(stream.stream.container
                    ? { container: stream.stream.container }
                    : {}),
                },
                text,
              ),
            ),
          ),
        );
        const truncated = answers.some(answer => linesOf(answer) >= maxLines);
        return {
          value: { entries, truncated },
          warnings: answers.flatMap(a => a.warnings),
        };
      });
    }),
  );

  const entries = perCluster
    .flatMap(result => result.value?.entries ?? [])
    .sort((a, b) => a.timeMs - b.timeMs);
  return {
    groups: groupErrorLines(entries, {
      startMs: range.startSeconds * 1000,
      endMs: range.endSeconds * 1000,
    }),
    entries,
    truncated: perCluster.some(result => result.value?.truncated),
    queries,
    sources: perCluster.map(result => result.status),
  };
}
