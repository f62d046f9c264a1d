import { InputError } from '@backstage/errors';
import { parseMemoryQuantity } from '@observability-ir/plugin-observability-ir-common';
import { MemoryQuantity } from './memoryQuantity';

/** One setting before and after: unchanged when it holds the same bytes. */
export interface SettingChange {
  old?: string;
  new?: string;
  changed: boolean;
}

/** What to write for a container's memory, decided. */
export interface MemorySettingsDecision {
  limit: SettingChange & { new: string };
  request: SettingChange;
}

function currentBytes(text: string, what: string): number {
  try {
    return parseMemoryQuantity(text);
  } catch {
    throw new InputError(
      `${what} is "${text}", which is not a memory quantity; fix it by hand first`,
    );
  }
}

function change(
  old: string | undefined,
  wanted: MemoryQuantity | undefined,
  what: string,
): SettingChange {
  if (!wanted) {
    return { old, new: old, changed: false };
  }
  if (old !== undefined && currentBytes(old, what) === wanted.bytes) {
    // Same amount written another way (1024Mi for 1Gi): leave the file be.
    return { old, new: old, changed: false };
  }
  return { old, new: wanted.text, changed: true };
}

/**
 * The limit and request to write, given what a container has now. Refuses
 * to lower the limit unless `allowLower`, and to leave a request above the
 * limit, which Kubernetes would reject.
 */
export function decideMemorySettings(options: {
  current: { limit?: string; request?: string };
  limit: MemoryQuantity;
  request?: MemoryQuantity;
  allowLower: boolean;
  /** Whose settings: "container app of Deployment web in deploy/app.yaml". */
  where: string;
}): MemorySettingsDecision {
  const { current, limit, request, allowLower, where } = options;
  const limitWhat = `the memory limit of ${where}`;
  const requestWhat = `the memory request of ${where}`;
  if (
    !allowLower &&
    current.limit !== undefined &&
    limit.bytes < currentBytes(current.limit, limitWhat)
  ) {
    throw new InputError(
      `would lower ${limitWhat} from ${current.limit} to ${limit.text}; set allowLower to do so`,
    );
  }
  const limitChange = change(current.limit, limit, limitWhat);
  const requestChange = change(current.request, request, requestWhat);
  if (
    requestChange.new !== undefined &&
    currentBytes(requestChange.new, requestWhat) > limit.bytes
  ) {
    throw new InputError(
      `${requestWhat} would be ${requestChange.new}, above its limit ${limit.text}; give a request no larger than the limit, or raiseRequest`,
    );
  }
  return {
    limit: { ...limitChange, new: limitChange.new ?? limit.text },
    request: requestChange,
  };
}
