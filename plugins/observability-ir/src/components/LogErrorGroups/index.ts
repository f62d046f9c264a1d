export { LogErrorGroups } from './LogErrorGroups';
