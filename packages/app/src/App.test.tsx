import { render, screen, within } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('starts on the sign-in page, offering the guest, the platform guest and the contractor guest', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Observability & Incident Response' },
            backend: { baseUrl: 'http://localhost:7007' },
            auth: { providers: { guest: {} } },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    expect(
      await screen.findByText('Enter as a Guest User.', { exact: false }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Enter' })).toBeInTheDocument();
    // The other development identities, each on its own card: a platform
    // team member and a finance contractor.
    const card = (title: string) =>
      screen
        .getAllByRole('listitem')
        .find(item => within(item).queryByText(title) !== null)!;
    const platform = card('Platform guest');
    expect(
      within(platform).getByText(/Enter as a member of the platform team/),
    ).toBeInTheDocument();
    expect(
      within(platform).getByRole('button', { name: 'Sign In' }),
    ).toBeInTheDocument();
    const contractor = card('Contractor guest');
    expect(
      within(contractor).getByText(/Enter as a contractor on the finance team/),
    ).toBeInTheDocument();
    expect(
      within(contractor).getByRole('button', { name: 'Sign In' }),
    ).toBeInTheDocument();
  });
});
