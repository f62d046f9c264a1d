import { NodeSummary } from '@observability-ir/plugin-observability-ir-common';
import {
  CLUSTER,
  node,
  nodeMemoryPressure,
} from '../../__testUtils__/evidence';
import { nodesUnderMemoryPressure, nodesUnderPressure } from './nodeFacts';

const diskPressure: NodeSummary = {
  cluster: CLUSTER,
  name: 'worker-3',
  conditions: [
    { type: 'Ready', status: 'True', reason: 'KubeletReady' },
    { type: 'MemoryPressure', status: 'False' },
    {
      type: 'DiskPressure',
      status: 'True',
      reason: 'KubeletHasDiskPressure',
    },
  ],
};

describe('node pressure', () => {
  it('finds the node that evicts pods for memory', () => {
    const { nodes } = nodeMemoryPressure();
    expect(nodesUnderMemoryPressure(nodes).map(n => n.name)).toEqual([
      'worker-2',
    ]);
    expect(nodesUnderPressure(nodes).map(n => n.name)).toEqual(['worker-2']);
  });

  it('tells memory pressure from other pressure', () => {
    const nodes = [node('worker-1'), diskPressure];
    expect(nodesUnderMemoryPressure(nodes)).toEqual([]);
    expect(nodesUnderPressure(nodes)).toEqual([diskPressure]);
  });
});
