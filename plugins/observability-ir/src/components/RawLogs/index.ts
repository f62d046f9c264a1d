export {
  RawLogsProvider,
  useRawLogs,
  type RawLogsContextValue,
  type RawLogsTarget,
} from './RawLogsContext';
export { RawLogsDialog } from './RawLogsDialog';
export { RawLogsButton } from './RawLogsButton';
