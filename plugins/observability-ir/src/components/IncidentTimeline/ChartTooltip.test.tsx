import '@testing-library/jest-dom';
import { render, screen } from '@testing-library/react';
import { formatBytes } from '../../format';
import { LAB_START, LIMIT_BYTES, oomEvent } from '../../__testUtils__/fixtures';
import { ChartTooltip } from './ChartTooltip';

describe('ChartTooltip', () => {
  it('shows the OOM kill at the hovered instant and the values then', () => {
    const t = LAB_START + 150_000;
    render(
      <ChartTooltip
        active
        label={t}
        events={new Map([[t, [oomEvent(t)]]])}
        describe={formatBytes}
        payload={[
          {
            name: 'checkout-api-v1-abc',
            value: 0.99 * LIMIT_BYTES,
            dataKey: 'a',
          },
          { name: 'limit 512Mi', value: LIMIT_BYTES, dataKey: 'limit' },
        ]}
      />,
    );
    expect(screen.getByText('OOMKilled (exit 137)')).toBeInTheDocument();
    expect(
      screen.getByText(/1 OutOfMemoryError line in the 30 s before/),
    ).toBeInTheDocument();
    expect(screen.getByText(/checkout-api-v1-abc: 507Mi/)).toBeInTheDocument();
    expect(screen.getByText(/limit 512Mi: 512Mi/)).toBeInTheDocument();
  });

  it('renders nothing while nothing is hovered', () => {
    const { container } = render(
      <ChartTooltip events={new Map()} describe={formatBytes} />,
    );
    expect(container).toBeEmptyDOMElement();
  });
});
