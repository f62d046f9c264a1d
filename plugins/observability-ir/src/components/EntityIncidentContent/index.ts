export { EntityIncidentContent } from './EntityIncidentContent';
