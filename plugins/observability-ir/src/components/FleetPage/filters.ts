import {
  FleetOwner,
  RangePreset,
  SilentOutageFinding,
} from '@observability-ir/plugin-observability-ir-common';

/** The ranges of the sweep a person can pick. */
export const SWEEP_RANGES: RangePreset[] = ['1h', '6h', '24h'];

/** The owner filter's value for pods no entity claims. */
export const UNOWNED = 'unowned';

/** The group of findings whose entity names no owner. */
export const NO_OWNER_NAMED = 'no-owner';

/**
 * What the fleet page shows, as kept in the URL's query so that a link
 * shows the same: `?range=6h&cluster=prod&owner=group:default/team`.
 */
export interface FleetFilters {
  range: RangePreset;
  cluster?: string;
  namespace?: string;
  /** An owner's entity ref, {@link UNOWNED} or {@link NO_OWNER_NAMED}. */
  owner?: string;
  reason?: string;
}

/** The filter keys that narrow the findings (all but the range). */
export const FILTER_KEYS = ['cluster', 'namespace', 'owner', 'reason'] as const;

/** The filters of a URL query; an unknown range reads as 1h. */
export function readFilters(params: URLSearchParams): FleetFilters {
  const range = params.get('range');
  const filters: FleetFilters = {
    range: SWEEP_RANGES.find(r => r === range) ?? '1h',
  };
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) {
      filters[key] = value;
    }
  }
  return filters;
}

/** The group a finding belongs to: its owner, or why it has none. */
export function ownerKey(owner: FleetOwner | undefined): string {
  if (!owner) {
    return UNOWNED;
  }
  return owner.ownerRef ?? NO_OWNER_NAMED;
}

/** How an owner group is named on the page. */
export function ownerLabel(key: string): string {
  if (key === UNOWNED) {
    return 'Unowned';
  }
  if (key === NO_OWNER_NAMED) {
    return 'Entity without an owner';
  }
  // group:default/finance-team reads finance-team; another namespace stays.
  const match = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(key);
  if (!match) {
    return key;
  }
  const [, kind, namespace, name] = match;
  const shortKind = kind && kind.toLowerCase() !== 'group' ? `${kind}:` : '';
  const shortNamespace =
    namespace && namespace !== 'default' ? `${namespace}/` : '';
  return `${shortKind}${shortNamespace}${name}`;
}

/** What every row with a cluster, namespace and owner has in common. */
interface Located {
  cluster: string;
  namespace: string;
  owner?: FleetOwner;
}

/** Whether a row passes the cluster, namespace and owner filters. */
export function matchesLocation(row: Located, filters: FleetFilters): boolean {
  return (
    (!filters.cluster || row.cluster === filters.cluster) &&
    (!filters.namespace || row.namespace === filters.namespace) &&
    (!filters.owner || ownerKey(row.owner) === filters.owner)
  );
}

/** The findings that pass every filter. */
export function filterFindings(
  findings: SilentOutageFinding[],
  filters: FleetFilters,
): SilentOutageFinding[] {
  return findings.filter(
    f =>
      matchesLocation(f, filters) &&
      (!filters.reason || f.reason === filters.reason),
  );
}

/** The distinct values of a field, sorted, for a filter's options. */
export function distinct<T>(rows: T[], get: (row: T) => string): string[] {
  return [...new Set(rows.map(get))].sort((a, b) => a.localeCompare(b));
}

/** The rank of a group: named owners by name, then the ownerless ones. */
function groupRank(key: string): [number, string] {
  if (key === UNOWNED) {
    return [2, ''];
  }
  if (key === NO_OWNER_NAMED) {
    return [1, ''];
  }
  return [0, ownerLabel(key)];
}

/**
 * The findings in the order they are listed: by owner group (named owners
 * by name, then entities without an owner, then unowned pods), then by
 * entity, then the most restarts first. A sort, so O(n log n).
 */
export function sortByOwner(
  findings: SilentOutageFinding[],
): SilentOutageFinding[] {
  const keyed = findings.map(f => {
    const key = ownerKey(f.owner);
    const [rank, label] = groupRank(key);
    return { f, key, rank, label, entity: f.owner?.title ?? '' };
  });
  keyed.sort(
    (a, b) =>
      a.rank - b.rank ||
      a.label.localeCompare(b.label) ||
      a.key.localeCompare(b.key) ||
      a.entity.localeCompare(b.entity) ||
      b.f.restartsInRange - a.f.restartsInRange ||
      a.f.pod.localeCompare(b.f.pod),
  );
  return keyed.map(k => k.f);
}

/** How many findings each owner group holds. */
export function countByOwner(
  findings: SilentOutageFinding[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) {
    const key = ownerKey(f.owner);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
