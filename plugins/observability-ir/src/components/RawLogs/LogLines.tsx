import { RawLogLine } from '@observability-ir/plugin-observability-ir-common';
import { makeStyles } from '@material-ui/core/styles';
import { Fragment, ReactNode, useEffect, useRef } from 'react';
import { formatClock } from '../../format';

const useStyles = makeStyles(theme => ({
  block: {
    margin: 0,
    maxHeight: '55vh',
    overflow: 'auto',
    padding: theme.spacing(1),
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    lineHeight: 1.5,
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: 2,
    },
  },
  line: { whiteSpace: 'pre-wrap', wordBreak: 'break-word' },
  time: { color: theme.palette.text.secondary, marginRight: theme.spacing(1) },
  container: {
    color: theme.palette.text.secondary,
    marginRight: theme.spacing(1),
  },
  lastBefore: { backgroundColor: theme.palette.action.selected },
  moment: {
    display: 'block',
    margin: theme.spacing(0.5, 0),
    padding: theme.spacing(0.25, 1),
    fontWeight: theme.typography.fontWeightBold as number,
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  mark: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.getContrastText(theme.palette.info.main),
  },
}));

/** Local `HH:MM:SS.mmm` of a line. */
export function formatLineTime(timestamp: string): string {
  const ms = String(new Date(timestamp).getMilliseconds()).padStart(3, '0');
  return `${formatClock(timestamp)}.${ms}`;
}

/** The text with every occurrence of `search` marked. */
function marked(text: string, search: string, className: string): ReactNode {
  if (!search) return text;
  const parts = text.split(search);
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && <mark className={className}>{search}</mark>}
    </Fragment>
  ));
}

/**
 * Log lines in a scrolling block that takes keyboard focus, so it can be
 * scrolled without a mouse; the moment, when given, is a marked row among
 * them (scrolled into view), the last line before it highlighted.
 */
export function LogLines(props: {
  lines: RawLogLine[];
  /** Marked in every line. */
  search: string;
  /** The accessible name of the block. */
  label: string;
  moment?: { at: string; label: string };
  /** Shows each line's container, when the lines mix containers. */
  showContainer?: boolean;
}) {
  const classes = useStyles();
  const { lines, search, moment } = props;
  const blockRef = useRef<HTMLDivElement>(null);
  const momentRef = useRef<HTMLSpanElement>(null);
  const atMs = moment ? Date.parse(moment.at) : undefined;
  let momentIndex = -1;
  if (atMs !== undefined) {
    momentIndex = lines.findIndex(
      l => l.timestamp !== undefined && Date.parse(l.timestamp) > atMs,
    );
    if (momentIndex === -1) momentIndex = lines.length;
  }

  useEffect(() => {
    const block = blockRef.current;
    const marker = momentRef.current;
    if (block && marker) {
      block.scrollTop = Math.max(
        0,
        marker.offsetTop - block.offsetTop - block.clientHeight / 2,
      );
    }
  }, [lines, atMs]);

  const momentRow = moment && (
    <span ref={momentRef} className={classes.moment} role="note">
      ▶ {formatLineTime(moment.at)} {moment.label}
    </span>
  );
  return (
    <div
      ref={blockRef}
      className={classes.block}
      // It scrolls: focusable, so that a keyboard can scroll it.
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
      role="region"
      aria-label={props.label}
    >
      {lines.map((l, i) => (
        <Fragment key={i}>
          {i === momentIndex && momentRow}
          <div
            className={`${classes.line} ${
              i === momentIndex - 1 ? classes.lastBefore : ''
            }`}
          >
            {l.timestamp && (
              <time className={classes.time} dateTime={l.timestamp}>
                {formatLineTime(l.timestamp)}
              </time>
            )}
            {props.showContainer && l.container && (
              <span className={classes.container}>[{l.container}]</span>
            )}
            {marked(l.line, search, classes.mark)}
          </div>
        </Fragment>
      ))}
      {momentIndex === lines.length && momentRow}
    </div>
  );
}
