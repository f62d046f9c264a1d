import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('starts on the sign-in page, offering the guest and the platform guest', async () => {
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
    // The second development identity: a platform team member.
    expect(screen.getByText('Platform guest')).toBeInTheDocument();
    expect(
      screen.getByText(/Enter as a member of the platform team/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign In' })).toBeInTheDocument();
  });
});
