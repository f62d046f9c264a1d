export { Runbook } from './Runbook';
