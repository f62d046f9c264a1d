export { FleetPage, FleetHealthContent, FLEET_PAGE_TITLE } from './FleetPage';
export { SilentOutages } from './SilentOutages';
export { FleetTelemetry } from './FleetTelemetry';
export { csvCell, findingsToCsv } from './csv';
