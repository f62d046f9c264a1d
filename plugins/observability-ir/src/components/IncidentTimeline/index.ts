export {
  IncidentTimeline,
  MEMORY_CHART_LABEL,
  CPU_CHART_LABEL,
  ALERT_BANDS_LABEL,
} from './IncidentTimeline';
