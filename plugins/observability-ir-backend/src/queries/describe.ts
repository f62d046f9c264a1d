/**
 * Quotes a value for an error message: JSON escaping keeps control
 * characters visible, and long hostile values are cut short.
 */
export function describeValue(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}
