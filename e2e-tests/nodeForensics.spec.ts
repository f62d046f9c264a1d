import { expect, test } from '@playwright/test';
import { sandboxAdmin, signInAsGuest } from './support';

const screenshots = 'e2e-tests/screenshots';

test('an on-call engineer proves on the node that nothing listens on 8080', async ({
  page,
}) => {
  // The run itself takes seconds in the sandbox: the Job's pod starts, the
  // real script runs against the simulated node, the backend reads its log.
  test.setTimeout(120_000);
  // The lab's JVM is OOMKilled every two and a half minutes and is back 20 s
  // later: a run in between finds no process at all. The lab as it starts
  // has the container 40 s into a run, so the Job finds the JVM running and
  // not listening. (Repeats within the dedupe window get this same run.)
  await sandboxAdmin('/_sandbox/reset');
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout-api/incident');

  await page
    .getByRole('button', { name: 'Run node forensics on checkout-api-v1-abc' })
    .click();

  // The confirmation says where it runs and with which privileges.
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Target')).toContainText(
    'checkout-api-v1-abc',
  );
  await expect(dialog.getByLabel('Target')).toContainText('worker-1');
  await expect(dialog.getByLabel("The Job's privileges")).toContainText(
    'SYS_ADMIN',
  );
  await expect(dialog.getByLabel('What it runs')).toContainText('nsenter');
  await dialog.getByRole('button', { name: 'Start forensics' }).click();

  // Progress, then the verdict from the node.
  const verdict = dialog.getByRole('region', { name: 'Verdict' });
  await expect(verdict).toContainText(
    "Nothing listens on 8080 in the pod's network namespace",
    { timeout: 90_000 },
  );
  await expect(verdict).toContainText(/recorded \d+ OOM kills?/);
  await expect(dialog.getByRole('table', { name: 'Interfaces' })).toBeVisible();
  await expect(
    dialog.getByRole('heading', { name: /^Listening sockets/ }),
  ).toBeVisible();
  await expect(
    dialog.getByText('Nothing listens on a TCP port in the namespace.'),
  ).toBeVisible();
  await dialog.screenshot({ path: `${screenshots}/node-forensics.png` });

  // The run is in the entity's history.
  await dialog.getByRole('button', { name: 'Close' }).click();
  const history = page.getByRole('region', { name: 'Node forensics' });
  await expect(history.getByText('checkout-api-v1-abc')).toBeVisible();
});
