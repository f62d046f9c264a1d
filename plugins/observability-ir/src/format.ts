/** Bytes as a Kubernetes-style binary quantity, e.g. `512Mi`, `1.5Gi`. */
export function formatBytes(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)}${units[unit]}`;
}

/** A share (0–1) as a whole percentage, e.g. `99%`. */
export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Cores, e.g. `0.20 cores`. */
export function formatCores(cores: number): string {
  return `${cores.toFixed(2)} cores`;
}

/** Local wall-clock time, `HH:MM:SS`. */
export function formatClock(time: Date | number | string): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(
    date.getSeconds(),
  )}`;
}

/** Local date and time, e.g. `2026-11-25 14:02:10`. */
export function formatDateTime(time: Date | number | string): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(
    date.getDate(),
  )} ${formatClock(date)}`;
}
