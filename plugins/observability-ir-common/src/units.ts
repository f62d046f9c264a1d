/** Binary units from the largest down, for renderings of bytes. */
export const BINARY_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['Ti', 1024 ** 4],
  ['Gi', 1024 ** 3],
  ['Mi', 1024 ** 2],
  ['Ki', 1024],
];
