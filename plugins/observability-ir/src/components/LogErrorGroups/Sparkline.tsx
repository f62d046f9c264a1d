import { useTheme } from '@material-ui/core/styles';

/**
 * A tiny bar chart of counts per slice of the range.
 *
 * @public
 */
export function Sparkline(props: {
  values: number[];
  label: string;
  width?: number;
  height?: number;
}) {
  const theme = useTheme();
  const { values, width = 90, height = 20 } = props;
  const max = Math.max(1, ...values);
  const bar = values.length ? width / values.length : width;
  return (
    <svg
      role="img"
      aria-label={props.label}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
    >
      {values.map((v, i) => {
        const h = v > 0 ? Math.max(1, (v / max) * height) : 0;
        return (
          <rect
            key={i}
            x={i * bar}
            y={height - h}
            width={Math.max(1, bar - 1)}
            height={h}
            fill={theme.palette.error.main}
          />
        );
      })}
    </svg>
  );
}
