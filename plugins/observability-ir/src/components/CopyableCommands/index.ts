export { CopyableCommands } from './CopyableCommands';
