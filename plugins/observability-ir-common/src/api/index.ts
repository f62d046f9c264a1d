export * from './request';
export * from './paths';
export * from './sources';
export * from './replicas';
export * from './metrics';
export * from './logs';
export * from './timeline';
export * from './diagnosis';
