export {
  IncidentTimeline,
  MEMORY_CHART_LABEL,
  CPU_CHART_LABEL,
} from './IncidentTimeline';
