import { formatMemoryQuantity } from '@observability-ir/plugin-observability-ir-common';
import { nodesUnderMemoryPressure } from '../../../replicas/nodeFacts';
import {
  cordonNode,
  describeNode,
  drainNode,
  podsOnNode,
  rolloutStatus,
  setMemoryRequestToLimit,
  topNodes,
} from '../../commands';
import { commandsOf, fixGroup, RunbookContext } from '../context';
import { sentences } from '../evidence';
import { FixPlan } from './plan';

/**
 * node-memory-pressure: the node runs out of memory, not the container;
 * find what fills the node, move pods off it, and make the entity's pods
 * Guaranteed so they are evicted last.
 */
export function nodePlan(ctx: RunbookContext): FixPlan {
  const pressured = nodesUnderMemoryPressure(ctx.inputs.replicas.nodes);
  const evicted = ctx.groups.flatMap(g =>
    g.replicas.filter(r => r.podReason === 'Evicted' && r.node),
  );
  const nodes = pressured.length
    ? pressured.map(n => ({ cluster: n.cluster, name: n.name }))
    : evicted.map(r => ({ cluster: r.cluster, name: r.node! }));
  const unique = nodes.filter(
    (n, i) =>
      nodes.findIndex(o => o.cluster === n.cluster && o.name === n.name) === i,
  );
  const target = ctx.fixTarget;
  const limitBytes = fixGroup(ctx)?.replicas.find(
    r => r.container === target?.container,
  )?.limits.memoryBytes;
  const limit = limitBytes ? formatMemoryQuantity(limitBytes) : undefined;
  return {
    summary: sentences(
      ctx.recommendation?.summary ??
        'Relieve the node memory pressure: move or shrink the workloads that fill the node, or add capacity',
      unique.length > 0 &&
        `Under memory pressure: ${unique.map(n => n.name).join(', ')}`,
      'Cordon the node first so that evicted pods are not scheduled back on it',
    ),
    commands: commandsOf(
      ...unique.flatMap(n => [
        () => describeNode(n.cluster, n.name),
        () => topNodes(n.cluster, [n.name]),
        () => podsOnNode(n.cluster, n.name),
        () => cordonNode(n.cluster, n.name),
        () => drainNode(n.cluster, n.name),
      ]),
      () =>
        target && limit ? setMemoryRequestToLimit(target, limit) : undefined,
      () => (target && limit ? rolloutStatus(target) : undefined),
    ),
  };
}
