import { ReactNode, useEffect, useRef, useState } from 'react';

/** How far below the fold a chart starts drawing, in pixels. */
const MARGIN_PX = 400;

/**
 * Draws its children once they come within a few hundred pixels of the
 * viewport, holding their height until then: the charts below the memory
 * chart cost the first paint nothing. Where the browser cannot tell
 * (no IntersectionObserver), it draws them at once.
 */
export function NearViewport(props: { height: number; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(
    () => typeof IntersectionObserver === 'undefined',
  );
  useEffect(() => {
    const element = ref.current;
    if (near || !element) return undefined;
    const observer = new IntersectionObserver(
      entries => {
        if (entries.some(entry => entry.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { rootMargin: `${MARGIN_PX}px 0px` },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [near]);
  if (near) {
    return <>{props.children}</>;
  }
  return <div ref={ref} style={{ height: props.height }} />;
}
