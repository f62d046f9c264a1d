export {
  observabilityIrAuthStrategyExtensionPoint,
  observabilityIrClusterSupplierExtensionPoint,
} from './extensionPoints';
export type {
  ObservabilityIrAuthStrategyExtensionPoint,
  ObservabilityIrClusterSupplierExtensionPoint,
  ObservabilityIrClusterSupplierFactory,
} from './extensionPoints';
