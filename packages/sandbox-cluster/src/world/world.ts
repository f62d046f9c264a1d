import { Scenario } from '../scenario/schema';
import { ScenarioClock } from './clock';
import { ClusterWorld } from './cluster';
import { JobController } from '../forensics/jobController';

/** Options for building a world from a scenario. */
export interface WorldOptions {
  /** Simulated time at scenario start (ms since epoch); defaults to now. */
  startMs?: number;
  /** How fast simulated time runs relative to the wall clock (0 freezes). */
  speed?: number;
  /** The node-forensics script forensics Jobs run (see JobController). */
  forensicsScript?: string;
  /** Time from a Job pod's creation to its container starting. */
  jobStartDelayMs?: number;
}

/** All clusters of a running scenario, sharing one clock. */
export class World {
  readonly clock: ScenarioClock;
  readonly clusters: ClusterWorld[];

  constructor(readonly scenario: Scenario, options: WorldOptions = {}) {
    this.clock = new ScenarioClock(
      options.startMs ?? Date.now(),
      options.speed ?? 1,
    );
    this.clusters = scenario.clusters.map(c => {
      const cluster = new ClusterWorld(c, scenario, this.clock);
      cluster.jobs = new JobController(cluster, {
        forensicsScript: options.forensicsScript,
        startDelayMs: options.jobStartDelayMs,
      });
      return cluster;
    });
  }

  /** The cluster served at the root paths. */
  get defaultCluster(): ClusterWorld {
    return this.clusters[0];
  }

  /** Stops the scripts forensics Jobs still run. */
  close() {
    this.clusters.forEach(c => c.jobs.close?.());
  }

  cluster(name: string): ClusterWorld | undefined {
    return this.clusters.find(c => c.name === name);
  }
}
