import '@testing-library/jest-dom';
import { act, render, screen } from '@testing-library/react';
import { NearViewport } from './NearViewport';

describe('NearViewport', () => {
  const original = (globalThis as any).IntersectionObserver;
  afterEach(() => {
    (globalThis as any).IntersectionObserver = original;
  });

  it('draws at once where the browser cannot tell what is in view', () => {
    (globalThis as any).IntersectionObserver = undefined;
    render(
      <NearViewport height={120}>
        <p>chart</p>
      </NearViewport>,
    );
    expect(screen.getByText('chart')).toBeInTheDocument();
  });

  it('holds the height until the place comes near the viewport, then draws', () => {
    const observers: Array<{
      callback: (entries: Array<{ isIntersecting: boolean }>) => void;
      options: { rootMargin?: string };
      disconnected: boolean;
    }> = [];
    (globalThis as any).IntersectionObserver = class {
      record: (typeof observers)[number];
      constructor(
        callback: (entries: Array<{ isIntersecting: boolean }>) => void,
        options: { rootMargin?: string },
      ) {
        this.record = { callback, options, disconnected: false };
        observers.push(this.record);
      }
      observe() {}
      disconnect() {
        this.record.disconnected = true;
      }
    };
    const { container } = render(
      <NearViewport height={140}>
        <p>chart</p>
      </NearViewport>,
    );
    expect(screen.queryByText('chart')).toBeNull();
    expect(container.firstElementChild).toHaveStyle({ height: '140px' });
    expect(observers[0].options.rootMargin).toBe('400px 0px');

    act(() => observers[0].callback([{ isIntersecting: false }]));
    expect(screen.queryByText('chart')).toBeNull();
    act(() => observers[0].callback([{ isIntersecting: true }]));
    expect(screen.getByText('chart')).toBeInTheDocument();
    expect(observers[0].disconnected).toBe(true);
  });
});
