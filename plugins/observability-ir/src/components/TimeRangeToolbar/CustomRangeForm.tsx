import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { FormEvent, useState } from 'react';
import { parseCustomRange, toDateTimeLocal } from '../../hooks';

const useStyles = makeStyles(theme => ({
  form: {
    display: 'flex',
    alignItems: 'flex-start',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  error: { flexBasis: '100%', color: theme.palette.error.main },
}));

/**
 * Two datetime inputs for a custom range. An invalid range is reported and
 * the inputs keep what the user typed.
 *
 * @public
 */
export function CustomRangeForm(props: {
  initial: { start: Date; end: Date };
  onApply(range: { start: Date; end: Date }): void;
}) {
  const classes = useStyles();
  const [start, setStart] = useState(() =>
    toDateTimeLocal(props.initial.start),
  );
  const [end, setEnd] = useState(() => toDateTimeLocal(props.initial.end));
  const [error, setError] = useState<string>();
  const errorId = 'incident-range-error';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseCustomRange(start, end);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setError(undefined);
    props.onApply(parsed);
  };

  return (
    <form className={classes.form} onSubmit={submit} aria-label="Custom range">
      <TextField
        id="incident-range-start"
        label="Start"
        type="datetime-local"
        value={start}
        onChange={e => setStart(e.target.value)}
        error={Boolean(error)}
        inputProps={{ 'aria-describedby': error ? errorId : undefined }}
        InputLabelProps={{ shrink: true }}
        variant="outlined"
        size="small"
      />
      <TextField
        id="incident-range-end"
        label="End"
        type="datetime-local"
        value={end}
        onChange={e => setEnd(e.target.value)}
        error={Boolean(error)}
        inputProps={{ 'aria-describedby': error ? errorId : undefined }}
        InputLabelProps={{ shrink: true }}
        variant="outlined"
        size="small"
      />
      <Button type="submit" variant="contained" color="primary">
        Apply range
      </Button>
      {error && (
        <Typography
          id={errorId}
          role="alert"
          variant="body2"
          className={classes.error}
        >
          {error}
        </Typography>
      )}
    </form>
  );
}
