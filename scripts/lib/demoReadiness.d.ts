export declare const GUEST_GROUP: string;

export interface ProbeOptions {
  backendUrl: string;
  appUrl?: string;
  group?: string;
  fetchImpl?: typeof fetch;
  requestTimeoutMs?: number;
}

export declare function probeDemo(
  options: ProbeOptions,
): Promise<{ ready: true } | { ready: false; detail: string }>;

export declare function waitForDemo(
  options: ProbeOptions & {
    timeoutMs: number;
    intervalMs?: number;
    shouldStop?: () => boolean;
    onProgress?: (detail: string) => void;
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<{ elapsedMs: number }>;
