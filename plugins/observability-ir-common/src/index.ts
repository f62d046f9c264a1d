/**
 * Types, API contracts and permissions shared by the observability-ir plugins.
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './workload';
