import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import RefreshIcon from '@material-ui/icons/Refresh';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import {
  RANGE_PRESETS,
  RangePreset,
} from '@observability-ir/plugin-observability-ir-common';
import { useEffect, useRef, useState } from 'react';
import {
  RangeSelection,
  REFRESH_INTERVALS,
  RefreshInterval,
  selectionKey,
  useAnsweredRange,
  useIncidentRange,
  useLastUpdated,
} from '../../hooks';
import { formatClock } from '../../format';
import { captionColor } from '../contrast';
import { CustomRangeForm } from './CustomRangeForm';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
  },
  updated: { color: captionColor(theme), marginLeft: 'auto' },
  toggle: {
    color: theme.palette.text.primary,
    textTransform: 'none',
    minWidth: 44,
    '&.Mui-selected, &.Mui-selected:hover': {
      color: theme.palette.primary.contrastText,
      backgroundColor: theme.palette.primary.main,
    },
  },
}));

const PRESETS = Object.keys(RANGE_PRESETS) as RangePreset[];
const INTERVALS = Object.keys(REFRESH_INTERVALS) as RefreshInterval[];

/**
 * Where the custom range form starts: the chosen bounds, else the range
 * the backend answered for, else the preset's length up to now.
 */
function initialBounds(
  selection: RangeSelection,
  answered: { start: string; end: string } | undefined,
): { start: Date; end: Date } {
  if (selection.kind === 'custom') {
    return selection;
  }
  if (answered) {
    return { start: new Date(answered.start), end: new Date(answered.end) };
  }
  const end = new Date();
  return {
    start: new Date(end.getTime() - RANGE_PRESETS[selection.preset] * 1000),
    end,
  };
}

/**
 * The range every panel of the Incident tab shows, its auto-refresh, and
 * when the data was last updated.
 *
 * @public
 */
export function TimeRangeToolbar() {
  const classes = useStyles();
  const { selection, select, refreshInterval, setRefreshInterval, refresh } =
    useIncidentRange();
  const lastUpdated = useLastUpdated();
  const answered = useAnsweredRange();
  const [customOpen, setCustomOpen] = useState(selection.kind === 'custom');
  // The range can change without this bar: back and forward in the
  // browser's history. The form shows when the range is custom, with its
  // bounds unless it applied them itself.
  const [formKey, setFormKey] = useState(0);
  const applied = useRef<string>();
  useEffect(() => {
    setCustomOpen(selection.kind === 'custom');
    if (selectionKey(selection) !== applied.current) {
      setFormKey(key => key + 1);
    }
  }, [selection]);

  const current =
    customOpen || selection.kind === 'custom' ? 'custom' : selection.preset;

  const choose = (_: unknown, value: string | null) => {
    if (!value) {
      return;
    }
    if (value === 'custom') {
      setCustomOpen(true);
      return;
    }
    setCustomOpen(false);
    select({ kind: 'preset', preset: value as RangePreset });
  };

  return (
    <Box component="section" aria-label="Time range and refresh">
      <div className={classes.bar}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={current}
          onChange={choose}
          aria-label="Time range"
        >
          {PRESETS.map(p => (
            <ToggleButton
              key={p}
              value={p}
              aria-label={`Last ${p}`}
              className={classes.toggle}
            >
              {p}
            </ToggleButton>
          ))}
          <ToggleButton value="custom" className={classes.toggle}>
            Custom
          </ToggleButton>
        </ToggleButtonGroup>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={refreshInterval}
          onChange={(_, value) => value && setRefreshInterval(value)}
          aria-label="Auto-refresh"
        >
          {INTERVALS.map(i => (
            <ToggleButton
              key={i}
              value={i}
              className={classes.toggle}
              aria-label={
                i === 'off' ? 'Auto-refresh off' : `Refresh every ${i}`
              }
            >
              {i === 'off' ? 'Off' : i}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Tooltip title="Refresh now">
          <IconButton size="small" onClick={refresh} aria-label="Refresh now">
            <RefreshIcon />
          </IconButton>
        </Tooltip>
        <Typography
          variant="body2"
          className={classes.updated}
          aria-live="polite"
        >
          {lastUpdated
            ? `Last updated ${formatClock(lastUpdated)}`
            : 'Loading…'}
        </Typography>
      </div>
      {customOpen && (
        <CustomRangeForm
          key={formKey}
          initial={initialBounds(selection, answered)}
          onApply={({ start, end }) => {
            const next: RangeSelection = { kind: 'custom', start, end };
            applied.current = selectionKey(next);
            select(next);
          }}
        />
      )}
    </Box>
  );
}
