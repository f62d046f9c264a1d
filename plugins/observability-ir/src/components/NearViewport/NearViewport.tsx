import { ReactNode, useEffect, useRef, useState } from 'react';

/** How far below the fold its children start rendering, in pixels. */
const MARGIN_PX = 400;

/**
 * Renders its children once they come within a few hundred pixels of the
 * viewport, holding their height until then: a chart or a panel far below
 * the fold costs the first paint nothing (and a panel that asks for its
 * own data asks only then). Where the browser cannot tell (no
 * IntersectionObserver), it renders them at once.
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
