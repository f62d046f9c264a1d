export { DiagnosisBanner } from './DiagnosisBanner';
