export { CodeActAgent, type CodeActAgentOptions } from './codeact-agent.js';
export { SYSTEM_PROMPT } from './system-prompt.js';
export { convertResponse } from './tool-calls.js';
export { CODEACT_TOOLS, openAiToolDicts } from './tools.js';
