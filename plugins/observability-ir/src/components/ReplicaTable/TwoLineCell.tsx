import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';

const useStyles = makeStyles(theme => ({
  sub: { color: theme.palette.text.secondary, display: 'block' },
}));

/**
 * A table cell's value with a smaller second line below it.
 *
 * @public
 */
export function TwoLineCell(props: { value: ReactNode; subvalue: ReactNode }) {
  const classes = useStyles();
  return (
    <>
      <Typography variant="body2">{props.value}</Typography>
      <Typography variant="caption" className={classes.sub}>
        {props.subvalue}
      </Typography>
    </>
  );
}
