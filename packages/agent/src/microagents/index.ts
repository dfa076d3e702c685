export { builtinMicroagents } from './builtin.js';
export { loadMicroagents, type MicroagentSources, matchKnowledge } from './loader.js';
export { createRecallHandler, type WorkspaceContext } from './memory.js';
export { type Microagent, parseMicroagent, toApiMicroagent } from './microagent.js';
