export { createMemoryLimitRaiseAction } from './memoryLimitRaise';
export { createMemoryLimitApplyAction } from './memoryLimitApply';
