import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** The options of a `type: catalog` locator that loosen the URL checks. */
export interface ApiServerUrlOptions {
  /** Hostname patterns (`127.0.0.1`, `*.example.com`) allowed http and non-public addresses. */
  dangerouslyAllowClusterUrls?: string[];
}

function isNonPublic(ip: string) {
  try {
    return ipaddr.parse(ip).range() !== 'unicast';
  } catch {
    return true;
  }
}

function matches(hostname: string, pattern: string) {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    return hostname.endsWith(p.slice(1)) || hostname === p.slice(2);
  }
  return hostname === p;
}

/**
 * Refuses an API server URL from a catalog entity that would let whoever
 * writes the catalog point the backend at internal addresses: it must be
 * https to a public address, unless its hostname is allowed by
 * `dangerouslyAllowClusterUrls`. The same rules as the stock catalog
 * locator.
 */
export async function validateApiServerUrl(
  apiServerUrl: string,
  options: ApiServerUrlOptions,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(apiServerUrl);
  } catch {
    throw new Error('the API server URL is not a valid URL');
  }
  if (url.username || url.password) {
    throw new Error('the API server URL must not contain credentials');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error('the API server URL must use http or https');
  }
  const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (
    (options.dangerouslyAllowClusterUrls ?? []).some(p => matches(hostname, p))
  ) {
    return url;
  }
  if (url.protocol !== 'https:') {
    throw new Error(
      'the API server URL must use https (or its host be listed in dangerouslyAllowClusterUrls)',
    );
  }
  const addresses = ipaddr.isValid(hostname)
    ? [hostname]
    : (await lookup(hostname, { all: true })).map(a => a.address);
  if (addresses.some(isNonPublic)) {
    throw new Error(
      `the API server host ${hostname} is not a public address (list it in dangerouslyAllowClusterUrls to allow it)`,
    );
  }
  return url;
}
