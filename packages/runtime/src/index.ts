export {
  BashSession,
  type BashSessionOptions,
  type CommandRequest,
  type CommandResult,
} from './bash/bash-session.js';
export { FileEditor } from './editor/file-editor.js';
export { FileActions } from './files/index.js';
export { ActionExecutor } from './server/action-executor.js';
export { type ListenTarget, RuntimeServer, type RuntimeServerOptions } from './server/runtime-server.js';
