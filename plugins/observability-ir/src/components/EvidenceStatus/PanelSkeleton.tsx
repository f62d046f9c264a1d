import Skeleton from '@material-ui/lab/Skeleton';

/**
 * A placeholder of a panel's height while its data loads.
 *
 * @public
 */
export function PanelSkeleton(props: { label: string; height?: number }) {
  return (
    <div role="progressbar" aria-label={props.label} aria-busy="true">
      <Skeleton variant="rect" height={props.height ?? 160} />
    </div>
  );
}
