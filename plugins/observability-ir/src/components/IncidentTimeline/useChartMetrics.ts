import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  MAX_CHART_WIDTH,
  MetricsResponse,
  MIN_CHART_WIDTH,
} from '@observability-ir/plugin-observability-ir-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { observabilityIrApiRef } from '../../api';
import { EvidenceState, useIncidentRange } from '../../hooks';

/**
 * The widths a metrics answer is asked for: a chart is drawn from the
 * narrowest that is not narrower than it, so resizing the window within
 * one asks nothing again.
 */
export const CHART_WIDTHS = [400, 800, 1200, 1600, 2400, 3200, MAX_CHART_WIDTH];

/** The width to ask an answer for, for a chart `width` pixels wide. */
export function askedWidth(width: number): number {
  return (
    CHART_WIDTHS.find(w => w >= width) ??
    Math.max(MIN_CHART_WIDTH, CHART_WIDTHS[CHART_WIDTHS.length - 1])
  );
}

/**
 * The width of an element, measured as soon as it is attached (before the
 * browser paints) and followed as it resizes; `undefined` until then, and
 * `fallback` where nothing can be measured (jsdom has no layout).
 */
export function useMeasuredWidth(fallback = 800) {
  const [width, setWidth] = useState<number>();
  const observer = useRef<ResizeObserver>();
  const ref = useCallback(
    (element: HTMLElement | null) => {
      observer.current?.disconnect();
      observer.current = undefined;
      if (!element) return;
      const measure = () => {
        const measured = element.getBoundingClientRect().width;
        setWidth(measured > 0 ? Math.floor(measured) : fallback);
      };
      measure();
      if (typeof ResizeObserver !== 'undefined') {
        observer.current = new ResizeObserver(measure);
        observer.current.observe(element);
      }
    },
    [fallback],
  );
  useEffect(() => () => observer.current?.disconnect(), []);
  return { ref, width };
}

/**
 * The metrics of the entity for the shared range, shaped by the backend
 * for a chart `width` pixels wide (nothing is asked until it is known):
 * the most relevant containers, the others as one series, downsampled to
 * the width. `pod` is drawn too, even when it is not among the most
 * relevant: a pod put in focus from a link is fetched on demand. Asked
 * again when the range, the width class or `pod` change, or on refresh;
 * the previous answer stays while the next is on its way.
 */
export function useChartMetrics(
  width: number | undefined,
  pod?: string,
): EvidenceState<MetricsResponse> {
  const api = useApi(observabilityIrApiRef);
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const { query, refreshCount, markUpdated } = useIncidentRange();
  const asked = width === undefined ? undefined : askedWidth(width);
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{
    loading: boolean;
    value?: MetricsResponse;
    error?: Error;
  }>({ loading: true });

  useEffect(() => {
    if (asked === undefined) return undefined;
    let current = true;
    setState(previous => ({ ...previous, loading: true }));
    api
      .getMetrics({
        entityRef,
        ...query,
        width: asked,
        ...(pod ? { pod } : {}),
      })
      .then(
        value => {
          if (current) setState({ loading: false, value });
        },
        error => {
          if (current) setState({ loading: false, error });
        },
      );
    return () => {
      current = false;
    };
    // refreshCount: a refresh asks again for the same range.
  }, [api, entityRef, query, refreshCount, asked, pod, attempt]);

  const { value } = state;
  useEffect(() => {
    if (value) markUpdated(value.range);
  }, [value, markUpdated]);

  const retry = useCallback(() => setAttempt(a => a + 1), []);
  return { ...state, retry } as EvidenceState<MetricsResponse>;
}
