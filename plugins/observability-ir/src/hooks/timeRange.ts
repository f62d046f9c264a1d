import {
  EvidenceQuery,
  MAX_RANGE_SECONDS,
  MIN_RANGE_SECONDS,
  RANGE_PRESETS,
  RangePreset,
} from '@observability-ir/plugin-observability-ir-common';

/**
 * What the user chose: a preset ending now, or two fixed instants. The
 * backend resolves it; the answers say which instants it used.
 *
 * @public
 */
export type RangeSelection =
  | { kind: 'preset'; preset: RangePreset }
  | { kind: 'custom'; start: Date; end: Date };

/**
 * How often the evidence is fetched again on its own.
 *
 * @public
 */
export const REFRESH_INTERVALS = {
  off: 0,
  '30s': 30 * 1000,
  '1m': 60 * 1000,
} as const;

/**
 * One of {@link REFRESH_INTERVALS}.
 *
 * @public
 */
export type RefreshInterval = keyof typeof REFRESH_INTERVALS;

/**
 * The range part of an evidence request for a selection: a preset by name,
 * so "now" and its rounding are the backend's, or the chosen bounds.
 *
 * @public
 */
export function rangeQuery(
  selection: RangeSelection,
): Pick<EvidenceQuery, 'range' | 'start' | 'end'> {
  return selection.kind === 'preset'
    ? { range: selection.preset }
    : {
        start: selection.start.toISOString(),
        end: selection.end.toISOString(),
      };
}

/**
 * Checks the two values of `datetime-local` inputs; returns the range, or
 * what is wrong with it in words.
 */
export function parseCustomRange(
  startInput: string,
  endInput: string,
): { start: Date; end: Date } | { error: string } {
  const start = new Date(startInput);
  const end = new Date(endInput);
  if (!startInput || Number.isNaN(start.getTime())) {
    return { error: 'Enter a valid start date and time.' };
  }
  if (!endInput || Number.isNaN(end.getTime())) {
    return { error: 'Enter a valid end date and time.' };
  }
  const seconds = (end.getTime() - start.getTime()) / 1000;
  if (seconds <= 0) {
    return { error: 'The start must be before the end.' };
  }
  if (seconds < MIN_RANGE_SECONDS) {
    return { error: 'The range must be at least one minute long.' };
  }
  if (seconds > MAX_RANGE_SECONDS) {
    return {
      error: `The range can be at most ${MAX_RANGE_SECONDS / 86400} days long.`,
    };
  }
  return { start, end };
}

/** A `Date` as the value of a `datetime-local` input, in local time. */
export function toDateTimeLocal(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(
    date.getDate(),
  )}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * What the Incident tab shows, as kept in its URL: the range, the
 * auto-refresh and the pod in focus, so that a copied link opens the same
 * view and the browser's history steps through the choices.
 *
 * @public
 */
export interface IncidentView {
  selection: RangeSelection;
  refreshInterval: RefreshInterval;
  /** The pod the panels single out, if one was chosen. */
  focusedPod?: string;
}

/**
 * The query parameters of the Incident tab: `range` (a preset) or `start`
 * and `end` (ISO instants), `refresh` and `pod`.
 *
 * @public
 */
export const VIEW_PARAMS = ['range', 'start', 'end', 'refresh', 'pod'] as const;

// A pod's name is a DNS subdomain.
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function isKey<T extends object>(
  record: T,
  key: string,
): key is Extract<keyof T, string> {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/**
 * The range a URL asks for, or `undefined` when it asks for none or for one
 * that is not valid (an unknown preset, bounds that are not instants, in the
 * wrong order, or too short or long).
 */
function selectionFromParams(
  params: URLSearchParams,
): RangeSelection | undefined {
  const range = params.get('range');
  const start = params.get('start');
  const end = params.get('end');
  if (start !== null && end !== null && range === null) {
    // Only instants with a zone: a local time would read differently elsewhere.
    const instant =
      /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;
    if (!instant.test(start) || !instant.test(end)) {
      return undefined;
    }
    const parsed = parseCustomRange(start, end);
    return 'error' in parsed ? undefined : { kind: 'custom', ...parsed };
  }
  if (range !== null && start === null && end === null) {
    return isKey(RANGE_PRESETS, range)
      ? { kind: 'preset', preset: range }
      : undefined;
  }
  return undefined;
}

/**
 * Reads the view from the query of the Incident tab's URL. A missing or
 * invalid value is not an error: the default takes its place.
 *
 * @public
 */
export function parseViewParams(
  params: URLSearchParams,
  defaultSelection: RangeSelection,
): IncidentView {
  const refresh = params.get('refresh');
  const pod = params.get('pod');
  return {
    selection: selectionFromParams(params) ?? defaultSelection,
    refreshInterval:
      refresh !== null && isKey(REFRESH_INTERVALS, refresh) ? refresh : 'off',
    focusedPod: pod !== null && POD_NAME.test(pod) ? pod : undefined,
  };
}

/**
 * The query for a view: the other parameters of `params` kept, the range
 * always written, `refresh` and `pod` only when set.
 *
 * @public
 */
export function writeViewParams(
  params: URLSearchParams,
  view: IncidentView,
): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of VIEW_PARAMS) {
    next.delete(name);
  }
  const { selection } = view;
  if (selection.kind === 'preset') {
    next.set('range', selection.preset);
  } else {
    next.set('start', selection.start.toISOString());
    next.set('end', selection.end.toISOString());
  }
  if (view.refreshInterval !== 'off') {
    next.set('refresh', view.refreshInterval);
  }
  if (view.focusedPod) {
    next.set('pod', view.focusedPod);
  }
  return next;
}

/**
 * Whether a URL's query needs rewriting to read as its view does: it names
 * any view parameter and differs from the canonical form (an invalid value
 * dropped, an instant written in UTC). A URL without any stays as it is.
 *
 * @public
 */
export function viewParamsNeedNormalising(
  params: URLSearchParams,
  view: IncidentView,
): boolean {
  if (!VIEW_PARAMS.some(name => params.has(name))) {
    return false;
  }
  const canonical = writeViewParams(params, view);
  return VIEW_PARAMS.some(
    name => params.getAll(name).join() !== canonical.getAll(name).join(),
  );
}

/**
 * A key that is equal for equal selections.
 *
 * @public
 */
export function selectionKey(selection: RangeSelection): string {
  return selection.kind === 'preset'
    ? selection.preset
    : `${selection.start.toISOString()}/${selection.end.toISOString()}`;
}
