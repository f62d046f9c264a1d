import { Content, Header, Page } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import { FleetTelemetry } from './FleetTelemetry';
import { SilentOutages } from './SilentOutages';

/** The title of the fleet page and of its nav item. */
export const FLEET_PAGE_TITLE = 'Fleet health';

/**
 * The fleet health of platform teams, without a page header: silent
 * outages across every cluster, and the telemetry pipeline of every
 * entity.
 *
 * @public
 */
export function FleetHealthContent(props: { pollMs?: number }) {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SilentOutages pollMs={props.pollMs} />
      </Grid>
      <Grid item xs={12}>
        <FleetTelemetry pollMs={props.pollMs} />
      </Grid>
    </Grid>
  );
}

/**
 * The fleet health page with its header, for apps on the legacy frontend
 * system.
 *
 * @public
 */
export function FleetPage() {
  return (
    <Page themeId="tool">
      <Header
        title={FLEET_PAGE_TITLE}
        subtitle="Silent outages and telemetry across every cluster"
      />
      <Content>
        <FleetHealthContent />
      </Content>
    </Page>
  );
}
