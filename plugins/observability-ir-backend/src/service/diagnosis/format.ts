/** Small renderings shared by the evidence sentences. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `14:02:10Z` within a day of now, else `2026-11-24 14:02:10Z`. */
export function describeTime(time: string | number, now: Date): string {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (Number.isNaN(ms)) {
    return String(time);
  }
  const iso = new Date(ms).toISOString();
  const clock = `${iso.slice(11, 19)}Z`;
  return Math.abs(now.getTime() - ms) < DAY
    ? clock
    : `${iso.slice(0, 10)} ${clock}`;
}

/** `45s`, `2.5 min`, `40 min`, `3h 10m`, `3d 2h`. */
export function describeDuration(ms: number): string {
  if (ms < MINUTE) {
    return `${Math.round(ms / 1000)}s`;
  }
  if (ms < 10 * MINUTE) {
    return `${Number((ms / MINUTE).toFixed(1))} min`;
  }
  if (ms < HOUR) {
    return `${Math.round(ms / MINUTE)} min`;
  }
  if (ms < DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.round((ms - hours * HOUR) / MINUTE);
    return minutes ? `${hours}h ${minutes}m` : `${hours}h`;
  }
  const days = Math.floor(ms / DAY);
  const hours = Math.round((ms - days * DAY) / HOUR);
  return hours ? `${days}d ${hours}h` : `${days}d`;
}

/** `99%`; `0.1%` for small shares that are not 0. */
export function percent(share: number): string {
  if (share > 0 && share < 0.01) {
    return `${Math.max(0.1, Number((share * 100).toFixed(1)))}%`;
  }
  return `${Math.round(share * 100)}%`;
}

/** `1 restart`, `45 restarts`. */
export function plural(count: number, word: string, many = `${word}s`) {
  return `${count} ${count === 1 ? word : many}`;
}

/** `a, b and 3 more`. */
export function listNames(names: string[], max = 3): string {
  const unique = [...new Set(names)];
  if (unique.length <= max) {
    return unique.length > 1
      ? `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`
      : unique.join('');
  }
  return `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
}

/** `2 cores`, `0.2 cores`, `1 core`. */
export function describeCores(cores: number): string {
  const value = Number(cores.toFixed(2));
  return `${value} ${value === 1 ? 'core' : 'cores'}`;
}
