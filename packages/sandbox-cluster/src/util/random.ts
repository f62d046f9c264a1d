/**
 * Deterministic pseudo-random numbers so a scenario replays identically for
 * the same seed.
 */

/** Hashes a string to an unsigned 32-bit integer (FNV-1a). */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A single deterministic float in [0, 1) for a set of keys. */
export function randomFor(...keys: Array<string | number>): number {
  return seededRandom(hashString(keys.join('\u0000')))();
}

/** Lower-case alphanumeric suffix like the ones Kubernetes generates. */
export function nameSuffix(length: number, ...keys: Array<string | number>) {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const next = seededRandom(hashString(keys.join('\u0000')));
  let out = '';
  for (let i = 0; i < length; i++) {
    out += alphabet[Math.floor(next() * alphabet.length)];
  }
  return out;
}

/** A deterministic RFC 4122 looking UID. */
export function uidFor(...keys: Array<string | number>): string {
  const next = seededRandom(hashString(keys.join('\u0000')));
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join(
      '',
    );
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}
