import {
  ExecutedQuery,
  LogErrorGroup,
  SourceStatus,
} from '@observability-ir/plugin-observability-ir-common';
import { errorLogs } from '../../queries';
import {
  ErrorLogEntry,
  groupErrorLines,
  toErrorLogEntry,
} from './groupErrorLines';
import { LocatedWorkload } from '../fanout/locatePods';
import { askSource } from '../fanout/sourceStatus';
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

/**
 * Reads the error lines of every scope of every cluster from Loki in
 * parallel, newest first up to the line limit, and groups them.
 */
export async function collectLogs(
  located: LocatedWorkload[],
  range: ResolvedRange,
  options: { lokiSelector?: string; maxLines: number },
): Promise<CollectedLogs> {
  const { lokiSelector, maxLines } = options;
  const queries: ExecutedQuery[] = [];
  const perCluster = await Promise.all(
    located.map(({ connection, scopes }) =>
      askSource(connection, 'loki', async () => {
        // A bad selector annotation fails this source, with its reason.
        const logql = scopes.map(scope =>
          errorLogs(scope, { selectorAnnotation: lokiSelector }),
        );
        queries.push(
          ...logql.map(query => ({
            name: 'error lines',
            cluster: connection.name,
            query,
          })),
        );
        const answers = await Promise.all(
          logql.map(query =>
            connection.loki!.queryRange(query, {
              startSeconds: range.startSeconds,
              endSeconds: range.endSeconds,
              limit: maxLines,
            }),
          ),
        );
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
        const truncated = answers.some(
          answer =>
            answer.streams.reduce((n, s) => n + s.values.length, 0) >= maxLines,
        );
        return {
          value: { entries, truncated },
          warnings: answers.flatMap(a => a.warnings),
        };
      }),
    ),
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
