import { NodeSummary } from '@observability-ir/plugin-observability-ir-common';

/** The nodes that report `MemoryPressure=True`. */
export function nodesUnderMemoryPressure(nodes: NodeSummary[]): NodeSummary[] {
  return nodes.filter(n =>
    n.conditions.some(c => c.type === 'MemoryPressure' && c.status === 'True'),
  );
}

/** The nodes that report any pressure: memory, disk or PIDs. */
export function nodesUnderPressure(nodes: NodeSummary[]): NodeSummary[] {
  return nodes.filter(n =>
    n.conditions.some(
      c =>
        c.type !== 'Ready' &&
        c.type.endsWith('Pressure') &&
        c.status === 'True',
    ),
  );
}
