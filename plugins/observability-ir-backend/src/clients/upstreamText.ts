/**
 * Text that came from an upstream (error bodies, warnings, Kubernetes
 * `Status` messages) on its way to a browser: secrets removed, whitespace
 * collapsed, and cut short. The full text goes to the backend log instead.
 */

/** The most characters of upstream text an answer carries. */
export const MAX_UPSTREAM_TEXT_LENGTH = 200;

const REDACTED = '[redacted]';

// Shapes of credentials that servers echo back in error messages.
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values.
  [/\b(Bearer|Basic|Token)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  // JSON Web Tokens, e.g. service account tokens.
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, REDACTED],
  // key=value and key: value pairs whose key names a secret.
  [
    /\b((?:access[_-]?|refresh[_-]?|id[_-]?)?token|password|passwd|secret|api[_-]?key|authorization|x-amz-signature|signature|sig)(["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi,
    `$1$2${REDACTED}`,
  ],
  // Credentials in URLs: scheme://user:password@host.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, `$1${REDACTED}@`],
  // Long opaque runs (hex or base64 keys); names with dashes survive.
  [/[A-Za-z0-9+/_]{40,}={0,2}/g, REDACTED],
];

/** Removes credentials, generic shapes and the `known` values alike. */
export function redactSecrets(text: string, known: readonly string[] = []) {
  let out = text;
  for (const secret of known) {
    // Short values (a tenant "a") would blank out ordinary words.
    if (secret.length >= 8) {
      out = out.split(secret).join(REDACTED);
    }
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

/** Collapses whitespace and cuts to `max` characters, marking the cut. */
export function shortenText(text: string, max = MAX_UPSTREAM_TEXT_LENGTH) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Upstream text fit for a browser: redacted, then shortened. */
export function sanitizeUpstreamText(
  text: string,
  known: readonly string[] = [],
) {
  return shortenText(redactSecrets(text, known));
}
