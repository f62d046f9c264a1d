import { InfoCard } from '@backstage/core-components';
import { ReactNode, useId } from 'react';

/**
 * One panel of the Incident tab: an `InfoCard` that is a landmark region
 * named by its `h2` title, so it can be found by role and name.
 *
 * @public
 */
export function IncidentPanel(props: {
  title: string;
  subheader?: ReactNode;
  action?: ReactNode;
  children: ReactNode;
}) {
  const id = `incident-panel-${useId().replace(/:/g, '')}`;
  return (
    <section aria-labelledby={id}>
      <InfoCard
        title={props.title}
        subheader={props.subheader}
        action={props.action}
        titleTypographyProps={{ component: 'h2', id } as object}
      >
        {props.children}
      </InfoCard>
    </section>
  );
}
