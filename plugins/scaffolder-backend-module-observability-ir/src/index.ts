/**
 * Scaffolder actions that raise a container's memory limit: in the
 * manifests, Kustomize patches or Helm values of a template's workspace,
 * or in the cluster through the observability-ir backend.
 *
 * @packageDocumentation
 */

export * from './actions';
export { WORKLOAD_KINDS, type WorkloadKind } from './manifests/workloads';
export { scaffolderModuleObservabilityIr as default } from './module';
