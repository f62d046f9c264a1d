/**
 * The two shapes Kubernetes names take (see "Object Names and IDs" in the
 * Kubernetes docs). Every value that reaches a query, a selector or a Job
 * spec as a name is checked against one of them here, and only here.
 */

const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Whether `name` is an RFC 1123 DNS label: at most 63 lowercase letters,
 * digits or `-`, alphanumeric at both ends (namespaces, container names).
 */
export function isDnsLabel(name: string): boolean {
  return DNS_LABEL.test(name);
}

/**
 * Whether `name` is a DNS subdomain: dot-separated labels, at most 253
 * characters (most object names, label key prefixes).
 */
export function isDnsSubdomain(name: string): boolean {
  return DNS_SUBDOMAIN.test(name);
}
