export { TimeRangeToolbar } from './TimeRangeToolbar';
