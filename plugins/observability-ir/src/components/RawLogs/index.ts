export { RawLogsProvider, useRawLogs } from './RawLogsContext';
export type { RawLogsContextValue, RawLogsTarget } from './types';
export { RawLogsDialog } from './RawLogsDialog';
export { RawLogsButton } from './RawLogsButton';
