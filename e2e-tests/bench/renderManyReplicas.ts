/*
 * Benchmark: how long the Incident tab takes to render for a service with
 * 200 replicas, as a ratio to the stock Kubernetes tab for the same entity,
 * measured in the same run in headless Chromium.
 *
 *   yarn bench:render        (REPLICAS, ROUNDS, SANDBOX_PORT, BACKEND_PORT)
 *
 * It starts the sandbox with the lab's checkout-api scaled to REPLICAS pods,
 * builds the app, starts the backend serving it, then loads each tab ROUNDS
 * times and prints the medians: the Incident tab until its diagnosis, its
 * replica table and its memory chart are shown (the ratio), and until the
 * diagnosis and the replica table alone are (its first paint), with the
 * size of each evidence answer and, per round, when the evidence the tab
 * waits for had come: a round after the backend's evidence cache expired
 * (15 s) waits for the sandbox to compute 200 pods' series and logs.
 * Nothing is asserted.
 */
import { loadScenario, startSandbox } from '@observability-ir/sandbox-cluster';
import { Page } from '@playwright/test';
import { reportBenchResult } from '../../scripts/lib/benchResult';
import { Demo, keepFailedPage, median, startDemo } from './demo';

const REPLICAS = Number(process.env.REPLICAS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 7008);
const BACKEND_PORT = Number(process.env.BACKEND_PORT ?? 7007);

function scaledScenario() {
  const scenario = loadScenario('checkout-oom');
  const deployment = scenario.clusters[0].deployments.find(
    d => d.name === 'checkout-api',
  )!;
  deployment.pods = Array.from({ length: REPLICAS }, (_, i) => ({
    ...deployment.pods[i % deployment.pods.length],
    name: `checkout-api-v1-${i.toString(36).padStart(5, '0')}`,
    node: i % 2 ? 'worker-2' : 'worker-1',
    restarts: 40 + (i % 7),
  }));
  return scenario;
}

async function timeUntil(
  page: Page,
  url: string,
  ready: (p: Page) => Promise<void>,
) {
  const started = performance.now();
  await page.goto(url);
  await ready(page);
  return performance.now() - started;
}

/** The evidence answers the page received: path, bytes, milliseconds. */
async function evidenceAnswers(page: Page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map(e => e as PerformanceResourceTiming)
      .filter(e => /\/api\/observability-ir\/v1\//.test(e.name))
      .map(e => ({
        path: new URL(e.name).pathname.replace(/.*\/v1\//, '/v1/'),
        query: new URL(e.name).search,
        bytes: e.encodedBodySize,
        decoded: e.decodedBodySize,
        ms: e.duration,
        /** Since the page's navigation started. */
        start: e.startTime,
      })),
  );
}

async function main() {
  const sandbox = await startSandbox({
    scenario: scaledScenario(),
    port: SANDBOX_PORT,
    kubeconfigPath: false,
  });
  let demo: Demo | undefined;
  try {
    demo = await startDemo({
      sandbox,
      backendPort: BACKEND_PORT,
      name: 'observability-ir-bench',
    });
    const { base, page } = demo;

    const entity = `${base}/catalog/default/component/checkout-api`;
    const kubernetes: number[] = [];
    const incident: number[] = [];
    const firstPaint: number[] = [];
    /** Per round, when the last evidence answer came (since navigation). */
    const answered: number[] = [];
    let answers: Awaited<ReturnType<typeof evidenceAnswers>> = [];
    // Alternate the two so drift in the machine's load hits both alike.
    for (let round = 0; round <= ROUNDS; round++) {
      const k = await timeUntil(page, `${entity}/kubernetes`, p =>
        p
          .getByText(`${REPLICAS} pods`, { exact: true })
          .first()
          .waitFor({ timeout: 120_000 }),
      );
      let painted = 0;
      const started = performance.now();
      const i = await timeUntil(page, `${entity}/incident`, async p => {
        await Promise.all([
          p
            .getByRole('heading', { name: /^Most likely cause:/ })
            .waitFor({ timeout: 120_000 }),
          p
            .getByRole('table', { name: 'Replicas' })
            .getByRole('cell', { name: /^checkout-api-v1-/ })
            .first()
            .waitFor({ timeout: 120_000 }),
        ]);
        painted = performance.now() - started;
        await p
          .getByRole('img', { name: 'Memory working set and limit over time' })
          .waitFor({ timeout: 120_000 });
      });
      answers = await evidenceAnswers(page);
      // The first round warms caches and is not counted.
      if (round > 0) {
        kubernetes.push(k);
        incident.push(i);
        firstPaint.push(painted);
        answered.push(
          Math.max(
            ...answers
              .filter(a => /^\/v1\/(diagnosis|replicas|metrics)$/.test(a.path))
              .map(a => a.start + a.ms),
          ),
        );
      }
    }

    const k = median(kubernetes);
    const i = median(incident);
    console.log(`Replicas: ${REPLICAS}; rounds: ${ROUNDS} (median)`);
    console.log(
      `stock Kubernetes tab: ${k.toFixed(0)} ms  [${kubernetes
        .map(v => v.toFixed(0))
        .join(', ')}]`,
    );
    console.log(
      `Incident tab:         ${i.toFixed(0)} ms  [${incident
        .map(v => v.toFixed(0))
        .join(', ')}]`,
    );
    const p = median(firstPaint);
    console.log(
      `  first paint (diagnosis and replicas): ${p.toFixed(0)} ms  [${firstPaint
        .map(v => v.toFixed(0))
        .join(', ')}]`,
    );
    console.log(
      `  diagnosis, replicas and metrics answered by: [${answered
        .map(v => v.toFixed(0))
        .join(
          ', ',
        )}] ms (a round whose evidence had left the backend's cache waits for the sandbox)`,
    );
    console.log('Evidence answers of the last round:');
    for (const a of answers) {
      console.log(
        `  ${a.path.padEnd(14)} ${(a.decoded / 1024)
          .toFixed(0)
          .padStart(7)} KiB` +
          ` (${(a.bytes / 1024).toFixed(0)} KiB sent) ${a.ms
            .toFixed(0)
            .padStart(6)} ms from ${a.start.toFixed(0).padStart(5)} ms` +
          `  ${
            a.query.includes('width=')
              ? a.query.replace(/.*[?&](width=\d+).*/, '$1')
              : ''
          }`,
      );
    }
    console.log(`ratio Incident / Kubernetes: ${(i / k).toFixed(2)}`);
    console.log(`ratio first paint / Kubernetes: ${(p / k).toFixed(2)}`);
    reportBenchResult({
      benchmark: 'render',
      figures: [
        {
          name: 'Incident / Kubernetes tab (median)',
          value: i / k,
          goal: { max: 1.5 },
        },
        { name: 'Incident tab (median)', value: i, unit: 'ms' },
        { name: 'Incident tab first paint (median)', value: p, unit: 'ms' },
        { name: 'stock Kubernetes tab (median)', value: k, unit: 'ms' },
      ],
      settings: { replicas: REPLICAS, rounds: ROUNDS },
    });
  } catch (error) {
    if (demo) await keepFailedPage(demo, 'observability-ir-bench');
    throw error;
  } finally {
    await demo?.stop();
    await sandbox.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
