/**
 * Escapes a value for a Kubernetes field selector, as apimachinery's
 * `fields.EscapeValue` does (`\` `,` `=` are backslash-escaped), so that a
 * value cannot end its requirement and start another.
 */
export function escapeFieldSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, '\\$&');
}

/** One field selector requirement, `field=value`, with the value escaped. */
export function fieldEquals(field: string, value: string): string {
  return `${field}=${escapeFieldSelectorValue(value)}`;
}
