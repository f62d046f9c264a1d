export { IncidentPanel } from './IncidentPanel';
