import { escapeLabelValue } from './escaping';
import { customSelectorFromAnnotation, streamSelector } from './logql';
import { PodScope } from './scope';
import { sh } from './shell';

/**
 * The log lines of one pod (its container, when the scope names one),
 * optionally only those containing a text:
 * `{namespace="…",pod=~"…"[,container="…"]} |= "…"`. The pod and the
 * search text are escaped, so any text selects only itself.
 */
export function podLogLines(
  scope: PodScope,
  options: { selectorAnnotation?: string; search?: string } = {},
): string {
  const selector =
    options.selectorAnnotation === undefined
      ? streamSelector(scope)
      : customSelectorFromAnnotation(options.selectorAnnotation, scope);
  return options.search === undefined
    ? selector
    : `${selector} |= "${escapeLabelValue(options.search)}"`;
}

/**
 * The `kubectl logs --previous` command that prints the previous
 * instance's log of a container, every value single-quoted.
 */
export function kubectlPreviousLogsCommand(options: {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  tailLines: number;
}): string {
  const { cluster, namespace, pod, container, tailLines } = options;
  return sh`kubectl --context ${cluster} -n ${namespace} logs ${pod} -c ${container} --previous --timestamps --tail=${tailLines}`
    .text;
}
