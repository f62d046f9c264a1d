import { useEffect, useState } from 'react';

/**
 * The width of an element, followed as it resizes; `fallback` until it is
 * measured or where it cannot be (jsdom has no layout).
 *
 * @public
 */
export function useContainerWidth(fallback = 800) {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    if (!element) {
      return undefined;
    }
    const measure = () => {
      const measured = element.getBoundingClientRect().width;
      setWidth(measured > 0 ? Math.floor(measured) : fallback);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return undefined;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [element, fallback]);
  return { ref: setElement, width };
}
