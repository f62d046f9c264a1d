import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  describeDuration,
  ForensicsRunsResponse,
  IncidentRecord,
  MAX_RANGE_SECONDS,
  MemoryLimitFixRequest,
  MemoryLimitFixResponse,
  observabilityIrRunbookUpdatePermission,
  RunbookActionRequest,
  RunbookResponse,
  VerifyProgress,
} from '@observability-ir/plugin-observability-ir-common';
import type { ForensicsService } from '../forensics/ForensicsService';
import type { MemoryLimitFixer } from '../fixes/MemoryLimitFixer';
import type { IncidentStore, StoredIncident } from '../incidents/IncidentStore';
import {
  evaluateVerification,
  mayOpenAgain,
  memoryLimitsOf,
  observedMemoryFix,
  VerificationSettings,
} from '../incidents/verification';
import type {
  IncidentRequestOptions,
  IncidentService,
} from '../IncidentService';
import { normalizeEntityRef } from '../workload/entityRefs';
import { buildRunbook } from './buildRunbook';
import { renderPostmortem } from './postmortem';

/** The range the runbook's evidence covers: the Incident tab's default. */
const RUNBOOK_RANGE_MS = 60 * 60 * 1000;

/** Who did something, as the incident record names them. */
export function actorOf(credentials: BackstageCredentials): string {
  const { principal } = credentials as BackstageCredentials<
    BackstageUserPrincipal | BackstageServicePrincipal
  >;
  return principal.type === 'user'
    ? principal.userEntityRef
    : `service:${principal.subject}`;
}

function publicRecord(incident: StoredIncident): IncidentRecord {
  const { baseline, fix, verification, verified, ...record } = incident;
  return record;
}

/**
 * The guided runbook of an entity's incident, and the incident's life:
 * it opens when the diagnosis first finds a problem, records what people
 * and fixes did, watches the replicas once a fix shows in the cluster, and
 * closes when the verification passes. Every look at the runbook moves the
 * incident on, so it needs no timer of its own; several backend instances
 * share the record through the database.
 */
export class RunbookService {
  constructor(
    private readonly deps: {
      incidents: IncidentService;
      forensics: ForensicsService;
      store: IncidentStore;
      permissions: PermissionsService;
      fixer: MemoryLimitFixer;
      verification: VerificationSettings;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  async getRunbook(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<RunbookResponse> {
    const ref = normalizeEntityRef(entityRef);
    const query = { entityRef: ref, range: '1h' as const };
    const { incidents, forensics, store } = this.deps;
    const [workload, diagnosis, replicas, logs, metrics, runs, latest] =
      await Promise.all([
        incidents.getWorkload(ref, options),
        incidents.getDiagnosis(query, options),
        incidents.getReplicas(query, options),
        incidents.getLogs(query, options),
        incidents.getMetrics(query, options),
        forensics.listRuns(ref, options).catch(
          (error: Error): ForensicsRunsResponse => ({
            entityRef: ref,
            runs: [],
            disabled: `Node forensics could not be read: ${error.message}`,
          }),
        ),
        store.latest(ref),
      ]);
    const now = this.now();
    const top = diagnosis.hypotheses[0];
    let incident = latest;

    const problem = top !== undefined && top.id !== 'healthy';
    const kubernetesAnswered = replicas.sources.some(
      s => s.source === 'kubernetes' && s.status === 'ok',
    );
    if (
      problem &&
      kubernetesAnswered &&
      (!incident ||
        (incident.status === 'resolved' &&
          mayOpenAgain({
            resolved: incident,
            replicas: replicas.replicas,
            rangeStart: new Date(now.getTime() - RUNBOOK_RANGE_MS),
          })))
    ) {
      const opened = await store.open({
        entityRef: ref,
        hypothesis: top.id,
        title: top.title,
        openedAt: now,
        baseline: memoryLimitsOf(replicas.replicas),
        message: `The diagnosis found: ${top.title} (confidence ${Math.round(
          top.confidence * 100,
        )}%)`,
      });
      incident = opened.incident;
      if (opened.created) {
        this.deps.logger.info(`Opened an incident for ${ref}: ${top.title}`);
      }
    }

    let verify: VerifyProgress | undefined;
    if (incident?.status === 'open' && kubernetesAnswered) {
      verify = await this.advance(incident, replicas.replicas, now);
      incident = (await store.latest(ref)) ?? incident;
    }

    const fixSeen = incident?.fix;
    const built = buildRunbook({
      entityRef: ref,
      workload,
      diagnosis,
      replicas,
      logs,
      metrics,
      forensicsRuns: runs.runs,
      ...(runs.disabled ? { forensicsDisabled: runs.disabled } : {}),
      ...(incident ? { incident: publicRecord(incident) } : {}),
      fix: {
        observed: fixSeen !== undefined,
        ...(fixSeen ? { message: fixSeen.description } : {}),
      },
      ...(verify ? { verify } : {}),
      now,
    });
    return {
      ...built,
      ...(incident ? { incident: publicRecord(incident) } : {}),
    };
  }

  async exportPostmortem(
    entityRef: string,
    options: IncidentRequestOptions,
  ): Promise<{ markdown: string; filename: string }> {
    const runbook = await this.getRunbook(entityRef, options);
    const now = this.now();
    const end = runbook.incident?.closedAt
      ? new Date(runbook.incident.closedAt)
      : now;
    const opened = runbook.incident
      ? Date.parse(runbook.incident.openedAt)
      : now.getTime();
    // From an hour before the incident opened, within the longest range.
    const start = new Date(
      Math.max(
        opened - RUNBOOK_RANGE_MS,
        end.getTime() - MAX_RANGE_SECONDS * 1000,
      ),
    );
    const timeline = await this.deps.incidents.getTimeline(
      {
        entityRef: runbook.entityRef,
        start: start.toISOString(),
        end: end.toISOString(),
      },
      options,
    );
    const { name } = parseEntityRef(runbook.entityRef);
    const day = (runbook.incident?.openedAt ?? now.toISOString()).slice(0, 10);
    return {
      markdown: renderPostmortem(runbook, timeline, now),
      filename: `postmortem-${name}-${day}.md`,
    };
  }

  async recordAction(
    request: RunbookActionRequest,
    options: IncidentRequestOptions,
  ): Promise<RunbookResponse> {
    const ref = normalizeEntityRef(request.entityRef);
    await this.authorizeUpdate(ref, options);
    if (
      (request.kind === 'step-completed' || request.kind === 'step-skipped') &&
      !request.stepId
    ) {
      throw new InputError(`A ${request.kind} action must name its stepId`);
    }
    const incident = await this.openIncident(ref, options);
    await this.deps.store.addAction(incident.id, {
      at: this.now().toISOString(),
      actor: actorOf(options.credentials),
      kind: request.kind,
      ...(request.stepId ? { stepId: request.stepId } : {}),
      message: request.message,
    });
    return this.getRunbook(ref, options);
  }

  async applyMemoryLimit(
    request: MemoryLimitFixRequest,
    options: IncidentRequestOptions,
  ): Promise<MemoryLimitFixResponse> {
    const applied = await this.deps.fixer.apply(request, options);
    if (applied.dryRun) {
      return applied;
    }
    const ref = normalizeEntityRef(request.entityRef);
    const incident = await this.deps.store.latest(ref);
    if (incident?.status === 'open') {
      await this.deps.store.addAction(incident.id, {
        at: this.now().toISOString(),
        actor: actorOf(options.credentials),
        kind: 'fix-applied',
        stepId: 'fix',
        message: `Set the memory limit of container ${applied.container} of ${
          applied.workloadKind
        } ${applied.workloadName} (namespace ${applied.namespace}, cluster ${
          applied.cluster
        }) from ${applied.previousLimit ?? 'none'} to ${applied.limit}${
          applied.request ? `, its request to ${applied.request}` : ''
        }`,
      });
    }
    return applied;
  }

  /**
   * One step of an open incident's life: records a fix once the cluster
   * shows it (or a person marked the Fix step done), then watches the
   * replicas and closes the incident once they held for the window.
   */
  private async advance(
    incident: StoredIncident,
    replicas: RunbookReplicas,
    now: Date,
  ): Promise<VerifyProgress | undefined> {
    const { store } = this.deps;
    let fix = incident.fix;
    if (!fix) {
      const byPerson = incident.actions.find(
        a => a.kind === 'step-completed' && a.stepId === 'fix',
      );
      fix =
        observedMemoryFix(incident, replicas, now) ??
        (byPerson
          ? {
              seenAt: byPerson.at,
              description: `${byPerson.actor} marked the fix done: ${byPerson.message}`,
              memoryLimits: {},
            }
          : undefined);
      if (!fix) {
        return undefined;
      }
      if (await store.recordFix(incident.id, fix)) {
        await store.addAction(incident.id, {
          at: now.toISOString(),
          actor: 'system',
          kind: 'fix-observed',
          stepId: 'fix',
          message: `Fix seen in the cluster: ${fix.description}`,
        });
      }
    }
    const outcome = evaluateVerification({
      fix,
      previous: incident.verification,
      replicas,
      now,
      settings: this.deps.verification,
    });
    if (!incident.verification) {
      await store.addAction(incident.id, {
        at: now.toISOString(),
        actor: 'system',
        kind: 'verify-started',
        stepId: 'verify',
        message: `Watching the replicas for ${describeDuration(
          this.deps.verification.windowSeconds * 1000,
        )}: no restart, Ready, memory below ${Math.round(
          this.deps.verification.maxWorkingSetShare * 100,
        )}% of the limit`,
      });
    } else if (outcome.restartedBecause) {
      await store.addAction(incident.id, {
        at: now.toISOString(),
        actor: 'system',
        kind: 'verify-reset',
        stepId: 'verify',
        message: `The watch starts over: ${outcome.restartedBecause}`,
      });
    }
    await store.setVerification(incident.id, outcome.state);
    if (outcome.passed) {
      const recovery = now.getTime() - Date.parse(incident.openedAt);
      await store.close(incident.id, {
        at: now,
        verified: { memoryLimits: memoryLimitsOf(replicas) },
        message: `Verified: every check held for ${describeDuration(
          this.deps.verification.windowSeconds * 1000,
        )}; time to recovery ${describeDuration(recovery)}`,
      });
    }
    return outcome.progress;
  }

  /** The entity's open incident, for a person's action on it. */
  private async openIncident(
    ref: string,
    options: IncidentRequestOptions,
  ): Promise<StoredIncident> {
    let incident = await this.deps.store.latest(ref);
    if (incident?.status !== 'open') {
      // Looking at the runbook opens an incident when there is a problem.
      await this.getRunbook(ref, options);
      incident = await this.deps.store.latest(ref);
    }
    if (incident?.status !== 'open') {
      throw new ConflictError(
        `There is no open incident for ${ref}: the diagnosis finds no problem`,
      );
    }
    return incident;
  }

  private async authorizeUpdate(
    ref: string,
    options: IncidentRequestOptions,
  ): Promise<void> {
    const [decision] = await this.deps.permissions.authorize(
      [
        {
          permission: observabilityIrRunbookUpdatePermission,
          resourceRef: ref,
        },
      ],
      { credentials: options.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to record progress on the incident of ${ref}`,
      );
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

type RunbookReplicas = Parameters<typeof memoryLimitsOf>[0];
