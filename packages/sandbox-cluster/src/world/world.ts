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
  private currentScenario: Scenario;
  private currentClock: ScenarioClock;
  private currentClusters: ClusterWorld[];

  constructor(
    /** The scenario the world started with, which a reset goes back to. */
    readonly initialScenario: Scenario,
    private readonly options: WorldOptions = {},
  ) {
    this.currentScenario = initialScenario;
    this.currentClock = new ScenarioClock(
      options.startMs ?? Date.now(),
      options.speed ?? 1,
    );
    this.currentClusters = this.buildClusters();
  }

  /** The scenario the world replays now. */
  get scenario(): Scenario {
    return this.currentScenario;
  }

  /** The scenario clock every cluster reads. */
  get clock(): ScenarioClock {
    return this.currentClock;
  }

  /** The simulated clusters, in the scenario's order. */
  get clusters(): readonly ClusterWorld[] {
    return this.currentClusters;
  }

  /** The cluster served at the root paths. */
  get defaultCluster(): ClusterWorld {
    return this.clusters[0];
  }

  private buildClusters(): ClusterWorld[] {
    return this.scenario.clusters.map(c => {
      const cluster = new ClusterWorld(c, this.scenario, this.currentClock);
      cluster.jobs = new JobController(cluster, {
        forensicsScript: this.options.forensicsScript,
        startDelayMs: this.options.jobStartDelayMs,
      });
      return cluster;
    });
  }

  /**
   * Starts the scenario over, as at start-up: the clock starts again at the
   * current wall-clock time (same speed) and every cluster is rebuilt from
   * the scenario, so patched Deployments, their rollouts and Jobs are gone.
   * Given another scenario, the world replays that one from now on instead
   * (a later reset without one goes back to the start-up scenario).
   * Whoever holds a cluster of before the reset holds a stale one.
   */
  reset(scenario: Scenario = this.initialScenario) {
    this.close();
    this.currentScenario = scenario;
    this.currentClock = new ScenarioClock(Date.now(), this.options.speed ?? 1);
    this.currentClusters = this.buildClusters();
  }

  /** Stops the scripts forensics Jobs still run. */
  close() {
    this.clusters.forEach(c => c.jobs.close?.());
  }

  cluster(name: string): ClusterWorld | undefined {
    return this.clusters.find(c => c.name === name);
  }
}
