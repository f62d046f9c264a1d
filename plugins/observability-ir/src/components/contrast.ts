import { Theme } from '@material-ui/core/styles';

/**
 * A palette colour for small text or a small chip's fill that keeps a
 * contrast of at least 4.5:1: the dark shade on a light theme (against the
 * paper, or under white text), the light shade as text on a dark theme.
 */
export function strongColor(
  theme: Theme,
  color: 'error' | 'secondary',
  use: 'text' | 'fill',
): string {
  const palette = theme.palette[color];
  if (use === 'fill') {
    return palette.dark;
  }
  return theme.palette.type === 'dark' ? palette.light : palette.dark;
}

/** Secondary text that keeps 4.5:1 on the paper and the page's background. */
export function captionColor(theme: Theme): string {
  return theme.palette.type === 'dark'
    ? theme.palette.text.secondary
    : theme.palette.grey[700];
}
