export { TelemetryPanel } from './TelemetryPanel';
export { TelemetryStatus, describeCheckStatus } from './TelemetryStatus';
