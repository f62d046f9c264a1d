import { ContainerModel } from './containerModel';
import { ContainerRun } from './timeline';
import { randomFor } from '../util/random';

/**
 * One log record as the application wrote it. A record may span several
 * lines (a Java stack trace): `kubectl logs` prints them as lines, while
 * Fluent Bit's multiline parser ships the record to Loki as one entry.
 */
export interface LogRecord {
  ms: number;
  lines: string[];
}

const STARTUP_STEP_MS = 350;

function className(container: string): string {
  const camel = container
    .split(/[-_.]/)
    .map(w => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  return `${camel}Application`;
}

function pkg(container: string): string {
  return `com.example.${container.replace(/[^a-z0-9]/g, '')}`;
}

/** Shortens a logger name to 40 characters the way logback does. */
function abbreviate(logger: string): string {
  const parts = logger.split('.');
  for (let i = 0; i < parts.length - 1 && parts.join('.').length > 40; i++) {
    parts[i] = parts[i].charAt(0);
  }
  return parts.join('.');
}

/** Formats a line the way Spring Boot's default console pattern does. */
function springLine(
  ms: number,
  level: string,
  thread: string,
  logger: string,
  message: string,
) {
  const iso = new Date(ms).toISOString();
  return `${iso} ${level.padStart(5)} 1 --- [${thread
    .padStart(15)
    .slice(-15)}] ${abbreviate(logger).padEnd(40)} : ${message}`;
}

function fill(
  template: string,
  model: ContainerModel,
  seed: string,
  k: number,
  heapMi: number,
) {
  const r = randomFor(seed, k, 'fill');
  const slow = model.throttled ? 1800 : 40;
  return template
    .replace(/\{n\}/g, String(1 + Math.floor(r * 200)))
    .replace(/\{ms\}/g, String(Math.floor(slow + r * slow * 1.5)))
    .replace(/\{heap\}/g, String(heapMi))
    .replace(/\{page\}/g, String(Math.min(48, k + 1)))
    .replace(/\{port\}/g, String(model.listenPorts[0] ?? 8080));
}

function startupRecords(model: ContainerModel, run: ContainerRun): LogRecord[] {
  const app = className(model.name);
  const main = `${pkg(model.name)}.${app}`;
  const messages = [
    `Starting ${app} v1.8.2 using Java 17.0.9 with PID 1 (/app/app.jar started by app in /app)`,
    'The following 1 profile is active: "production"',
    `Tomcat initialized with port ${model.listenPorts[0] ?? 8080} (http)`,
  ];
  if (model.behavior.type === 'memory-leak') {
    messages.push('Loading product catalog into the in-heap cache (48 pages)');
  }
  return messages.map((m, i) => ({
    ms: run.startMs + 200 + i * STARTUP_STEP_MS,
    lines: [
      springLine(
        run.startMs + 200 + i * STARTUP_STEP_MS,
        'INFO',
        'main',
        main,
        m,
      ),
    ],
  }));
}

function readyRecords(model: ContainerModel, run: ContainerRun): LogRecord[] {
  const listensAfter = model.listensAfter(run.index);
  if (listensAfter === undefined) {
    return [];
  }
  const at = run.startMs + listensAfter;
  const app = className(model.name);
  const port = model.listenPorts[0] ?? 8080;
  return [
    {
      ms: at - 5,
      lines: [
        springLine(
          at - 5,
          'INFO',
          'main',
          'o.s.b.w.embedded.tomcat.TomcatWebServer',
          `Tomcat started on port ${port} (http) with context path '/'`,
        ),
      ],
    },
    {
      ms: at,
      lines: [
        springLine(
          at,
          'INFO',
          'main',
          `${pkg(model.name)}.${app}`,
          `Started ${app} in ${(listensAfter / 1000).toFixed(
            3,
          )} seconds (process running for ${(listensAfter / 1000 + 0.8).toFixed(
            3,
          )})`,
        ),
      ],
    },
  ];
}

/** The records written just before the process ended. */
function terminationRecords(
  model: ContainerModel,
  run: ContainerRun,
): LogRecord[] {
  if (run.endMs === undefined) {
    return [];
  }
  const end = run.endMs;
  const p = pkg(model.name);
  if (run.outcome.reason === 'OOMKilled') {
    const at = end - 1200;
    return [
      {
        ms: end - 4000,
        lines: [
          springLine(
            end - 4000,
            'WARN',
            'catalog-loader',
            `${p}.catalog.CatalogCache`,
            'Heap usage above 95%, full GC did not free enough memory',
          ),
        ],
      },
      {
        ms: at,
        lines: [
          springLine(
            at,
            'ERROR',
            'catalog-loader',
            `${p}.catalog.CatalogCache`,
            'Unrecoverable error while warming up the catalog cache: java.lang.OutOfMemoryError: Java heap space',
          ),
          'java.lang.OutOfMemoryError: Java heap space',
          '\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)',
          '\tat java.base/java.util.ArrayList.grow(ArrayList.java:237)',
          '\tat java.base/java.util.ArrayList.add(ArrayList.java:486)',
          `\tat ${p}.catalog.CatalogCache.load(CatalogCache.java:88)`,
          `\tat ${p}.catalog.CatalogCache.warmUp(CatalogCache.java:54)`,
          `\tat ${p}.${className(model.name)}.run(${className(
            model.name,
          )}.java:31)`,
          '\tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:786)',
          '\tat java.base/java.lang.Thread.run(Thread.java:840)',
        ],
      },
    ];
  }
  if (run.outcome.killedByLiveness) {
    return [
      {
        ms: end - 30_000,
        lines: [
          springLine(
            end - 30_000,
            'INFO',
            'SpringApplicationShutdownHook',
            'o.s.b.w.e.tomcat.GracefulShutdown',
            'Commencing graceful shutdown. Waiting for active requests to complete',
          ),
        ],
      },
    ];
  }
  if (model.behavior.type === 'crash-loop') {
    const at = end - 150;
    const first = springLine(
      at,
      'ERROR',
      'main',
      'o.s.boot.SpringApplication',
      'Application run failed',
    );
    if (model.behavior.error === 'missing-config') {
      return [
        {
          ms: at,
          lines: [
            springLine(
              at,
              'ERROR',
              'main',
              'o.s.b.d.LoggingFailureAnalysisReporter',
              '',
            ),
            '',
            '***************************',
            'APPLICATION FAILED TO START',
            '***************************',
            '',
            'Description:',
            '',
            `Binding to target [Bindings@7d4f9aae targets=...] failed: Property: payment.gateway.url, Value: "null", Reason: error: must not be blank (configuration property PAYMENT_GATEWAY_URL is not set)`,
            '',
            'Action:',
            '',
            "Update your application's configuration",
          ],
        },
      ];
    }
    return [
      {
        ms: at,
        lines: [
          first,
          'java.lang.IllegalStateException: Failed to execute CommandLineRunner (error during startup)',
          '\tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:789)',
          '\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:325)',
          `Caused by: java.lang.NullPointerException: Cannot invoke "String.trim()" because "gatewayUrl" is null`,
          `\tat ${p}.payment.GatewayClient.<init>(GatewayClient.java:42)`,
          `\tat ${p}.payment.PaymentConfig.gatewayClient(PaymentConfig.java:27)`,
          '\t... 18 common frames omitted',
        ],
      },
    ];
  }
  return [];
}

const DEFAULT_WARMUP =
  'Catalog cache warm-up: loaded page {page}/48, heap used {heap}MiB';
const DEFAULT_SERVING = [
  'POST /api/checkout completed 200 in {ms}ms',
  'GET /api/cart completed 200 in {ms}ms',
  'GET /actuator/health/readiness completed 200 in 2ms',
];

/** Periodic records between startup and termination. */
function periodicRecords(
  model: ContainerModel,
  run: ContainerRun,
  seed: string,
  fromMs: number,
  toMs: number,
): LogRecord[] {
  const interval = model.behavior.logs.intervalSeconds * 1000;
  const begin = run.startMs + 2_000;
  const end = Math.min(
    toMs,
    run.endMs !== undefined ? run.endMs - 5_000 : toMs,
  );
  const listensAfter = model.listensAfter(run.index);
  const custom = model.behavior.logs.lines;
  const records: LogRecord[] = [];
  const firstK = Math.max(0, Math.floor((fromMs - begin) / interval) - 1);
  const p = pkg(model.name);
  for (let k = firstK; ; k++) {
    const ms =
      begin +
      k * interval +
      Math.floor(randomFor(seed, run.index, k) * interval * 0.5);
    if (ms > end) {
      break;
    }
    if (ms < fromMs) {
      continue;
    }
    const sinceStart = ms - run.startMs;
    const serving = listensAfter !== undefined && sinceStart >= listensAfter;
    const heapMi = Math.round(model.memoryAt(run.index, sinceStart) / 1048576);
    let line: string;
    if (custom) {
      const template = custom[(k + run.index) % custom.length];
      line = `${new Date(ms).toISOString()} ${fill(
        template,
        model,
        seed,
        k,
        heapMi,
      )}`;
    } else if (!serving) {
      const warm = model.behavior.type === 'memory-leak';
      line = springLine(
        ms,
        'INFO',
        warm ? 'catalog-loader' : 'main',
        warm ? `${p}.catalog.CatalogCache` : `${p}.StartupProbe`,
        fill(
          warm ? DEFAULT_WARMUP : 'Initializing application context',
          model,
          seed,
          k,
          heapMi,
        ),
      );
    } else {
      const template = DEFAULT_SERVING[k % DEFAULT_SERVING.length];
      const throttled = model.throttled && k % 3 !== 2;
      line = springLine(
        ms,
        throttled ? 'WARN' : 'INFO',
        `http-nio-${model.listenPorts[0] ?? 8080}-exec-${1 + (k % 10)}`,
        `${p}.web.RequestLogger`,
        (throttled ? 'Slow request: ' : '') +
          fill(template, model, seed, k, heapMi),
      );
    }
    records.push({ ms, lines: [line] });
  }
  return records;
}

/** All records a run wrote within [fromMs, toMs], oldest first. */
export function runLogRecords(
  model: ContainerModel,
  run: ContainerRun,
  seed: string,
  fromMs: number,
  toMs: number,
): LogRecord[] {
  const all = [
    ...startupRecords(model, run),
    ...readyRecords(model, run),
    ...periodicRecords(model, run, seed, fromMs, toMs),
    ...terminationRecords(model, run),
  ];
  return all
    .filter(
      r =>
        r.ms >= fromMs &&
        r.ms <= toMs &&
        (run.endMs === undefined || r.ms < run.endMs),
    )
    .sort((a, b) => a.ms - b.ms);
}
