export { AlertsPanel, ALERTS_TABLE_LABEL } from './AlertsPanel';
