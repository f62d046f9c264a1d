/**
 * Types, API contracts and permissions shared by the observability-ir plugins.
 *
 * @packageDocumentation
 */

export * from './api';
export * from './permissions';
export * from './quantity';
export * from './workload';
