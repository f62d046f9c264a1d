export { CopyableCommands } from './CopyableCommands';
export { CopyableCommand } from './CopyableCommand';
