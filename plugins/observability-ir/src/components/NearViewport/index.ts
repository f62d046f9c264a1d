export { NearViewport } from './NearViewport';
