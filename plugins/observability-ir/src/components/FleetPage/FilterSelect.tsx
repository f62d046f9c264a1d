import TextField from '@material-ui/core/TextField';
import { useId } from 'react';

/** A native select of one filter, with "All" for no filter. */
export function FilterSelect(props: {
  label: string;
  value: string | undefined;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string | undefined) => void;
  /** The label of the empty choice; without it there is none. */
  allLabel?: string;
}) {
  const { label, value, options, onChange, allLabel } = props;
  const id = `fleet-filter-${useId().replace(/:/g, '')}`;
  // A value from a shared link that this answer lacks stays selectable.
  const shown =
    value && !options.some(o => o.value === value)
      ? [...options, { value, label: value }]
      : options;
  return (
    <TextField
      select
      id={id}
      label={label}
      value={value ?? ''}
      onChange={event => onChange(event.target.value || undefined)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      variant="outlined"
      size="small"
      style={{ minWidth: 160 }}
    >
      {allLabel !== undefined && <option value="">{allLabel}</option>}
      {shown.map(o => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </TextField>
  );
}
