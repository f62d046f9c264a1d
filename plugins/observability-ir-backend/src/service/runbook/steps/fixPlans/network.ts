import {
  endpoints,
  networkPolicies,
  podsOnNode,
  podsWide,
  services,
} from '../../commands';
import { commandsOf, RunbookContext } from '../context';
import { sentences } from '../evidence';
import { FixPlan } from './plan';

/**
 * network-fault: the process is healthy and the traffic does not reach
 * it; check what carries the traffic, nothing of the pod spec.
 */
export function networkPlan(ctx: RunbookContext): FixPlan {
  const { workload } = ctx.inputs;
  const verdict = ctx.inputs.forensicsRuns.find(r => r.report)?.report?.verdict;
  return {
    summary: sentences(
      ctx.recommendation?.summary ??
        "Check the pod network: the Service's endpoints, the NetworkPolicies that select the pods and the CNI on their nodes",
      verdict &&
        ['interface-down', 'no-address'].includes(verdict.kind) &&
        `Node forensics: ${verdict.sentence}`,
      'Restarting or resizing the pods will not help: the process answers inside the pod',
    ),
    commands: commandsOf(
      ...ctx.groups.flatMap(g => [
        () => podsWide(g, workload.labelSelector),
        () => services(g),
        () => endpoints(g),
        () => networkPolicies(g),
        ...g.nodes.map(node => () => podsOnNode(g.cluster, node)),
      ]),
    ),
  };
}
