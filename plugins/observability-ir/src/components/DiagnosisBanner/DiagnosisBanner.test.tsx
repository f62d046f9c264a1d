import '@testing-library/jest-dom';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { labDiagnosis } from '../../__testUtils__/fixtures';
import {
  answer,
  fail,
  hang,
  renderPanel,
} from '../../__testUtils__/renderPanel';
import { DiagnosisBanner } from './DiagnosisBanner';

const server = setupServer();
registerMswTestHooks(server);

describe('DiagnosisBanner', () => {
  it('names the memory limit as the cause and recommends 1Gi', async () => {
    server.use(answer('diagnosis', labDiagnosis()));
    renderPanel(<DiagnosisBanner />);

    const region = await screen.findByRole('region', { name: 'Diagnosis' });
    expect(
      await within(region).findByRole('heading', {
        name: 'Most likely cause: Memory limit too low',
      }),
    ).toBeInTheDocument();
    expect(
      within(region).getByText('92% confidence (likely)'),
    ).toBeInTheDocument();
    expect(
      within(region).getByText(
        'limits.memory: 512Mi → 1Gi (peak working set 507Mi)',
      ),
    ).toBeInTheDocument();
    expect(
      within(region).getByText(
        /Raise limits.memory of container checkout-api from 512Mi to 1Gi/,
      ),
    ).toBeInTheDocument();
    // Three key items of evidence, not the fourth.
    const evidence = within(region).getByRole('list', { name: 'Key evidence' });
    expect(within(evidence).getAllByRole('listitem')).toHaveLength(3);
    expect(
      within(evidence).getByText(/OOMKilled \(exit 137\) after 45 restarts/),
    ).toBeInTheDocument();
  });

  it('says over which look-back memory was read, when it was longer than the range', async () => {
    server.use(
      answer('diagnosis', {
        ...labDiagnosis(),
        memoryLookback: {
          start: '2026-11-24T14:05:00.000Z',
          end: '2026-11-25T14:05:00.000Z',
          description: 'the last 1d',
        },
      }),
    );
    renderPanel(<DiagnosisBanner />);
    const region = await screen.findByRole('region', { name: 'Diagnosis' });
    expect(
      await within(region).findByText(
        'How memory climbs run after run was read over the last 1d, beyond the range on screen.',
      ),
    ).toBeInTheDocument();
  });

  it('says nothing of a look-back when the range was read alone', async () => {
    server.use(answer('diagnosis', labDiagnosis()));
    renderPanel(<DiagnosisBanner />);
    const region = await screen.findByRole('region', { name: 'Diagnosis' });
    await within(region).findByRole('heading', {
      name: 'Most likely cause: Memory limit too low',
    });
    expect(within(region).queryByText(/run after run/)).not.toBeInTheDocument();
  });

  it('keeps the other hypotheses collapsed until asked', async () => {
    server.use(answer('diagnosis', labDiagnosis()));
    renderPanel(<DiagnosisBanner />);

    const leak = await screen.findByRole('button', { name: /Memory leak/ });
    expect(leak).toHaveAttribute('aria-expanded', 'false');
    expect(
      screen.queryByText(/levels off at the same height/),
    ).not.toBeInTheDocument();

    await userEvent.click(leak);

    expect(leak).toHaveAttribute('aria-expanded', 'true');
    expect(
      await screen.findByText(/levels off at the same height/),
    ).toBeInTheDocument();
    expect(leak).toHaveTextContent('31% confidence (unlikely)');
  });

  it('lists the hypotheses below 5% together as ruled out', async () => {
    server.use(answer('diagnosis', labDiagnosis()));
    renderPanel(<DiagnosisBanner />);

    const ruledOut = await screen.findByRole('button', {
      name: 'Ruled out: CPU throttling',
    });
    expect(
      screen.queryByRole('button', { name: /^CPU throttling/ }),
    ).not.toBeInTheDocument();
    await userEvent.click(ruledOut);
    expect(
      await screen.findByText(
        'CPU usage stays at 0.2 of 1 core; no throttling',
      ),
    ).toBeInTheDocument();
  });

  it('shows a skeleton while the diagnosis is computed', async () => {
    server.use(hang('diagnosis'));
    renderPanel(<DiagnosisBanner />);

    expect(
      await screen.findByRole('progressbar', { name: 'Loading diagnosis' }),
    ).toBeInTheDocument();
  });

  it('explains a refusal in plain words', async () => {
    server.use(
      fail(
        'diagnosis',
        403,
        'NotAllowedError',
        'You are not allowed to read the incident data of component:default/checkout-api',
      ),
    );
    renderPanel(<DiagnosisBanner />);

    expect(
      await screen.findByText(/You cannot see this service's incident data/),
    ).toBeInTheDocument();
  });

  it('says which source the diagnosis lacks', async () => {
    server.use(
      answer(
        'diagnosis',
        labDiagnosis({
          sources: [
            { cluster: 'sandbox', source: 'kubernetes', status: 'ok' },
            {
              cluster: 'sandbox',
              source: 'loki',
              status: 'error',
              error: 'no answer within 10 s',
            },
          ],
        }),
      ),
    );
    renderPanel(<DiagnosisBanner />);

    expect(
      await screen.findByText('Loki of cluster sandbox: no answer within 10 s'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: /Memory limit too low/ }),
    ).toBeInTheDocument();
  });
});
