export { ReplicaTable, REPLICAS_TABLE_LABEL } from './ReplicaTable';
