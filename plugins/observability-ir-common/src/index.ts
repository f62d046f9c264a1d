/**
 * Types, API contracts, permissions and formatters shared by the
 * observability-ir plugins.
 *
 * @packageDocumentation
 */

export * from './api';
export * from './format';
export * from './permissions';
export * from './quantity';
export * from './workload';
