/**
 * Test helpers: a real Prometheus loaded with the sandbox's samples, and
 * lookups of the system binaries tests need.
 *
 * @packageDocumentation
 */
export { findBinary, freePort } from './binaries';
export { findPrometheusBinaries, startRealPrometheus } from './realPrometheus';
export type {
  RealPrometheus,
  RealPrometheusData,
  RealPrometheusOptions,
} from './realPrometheus';
