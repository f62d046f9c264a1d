/**
 * The renderings the evidence sentences use, under the names the rules
 * know them by; they live in the common package, shared with the Incident
 * tab.
 */
export {
  describeCores,
  describeDuration,
  describePercent as percent,
  describeTime,
  listNames,
  plural,
} from '@observability-ir/plugin-observability-ir-common';
