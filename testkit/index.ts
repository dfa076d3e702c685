export { DEFT_CLI, type DeftServeProcess, exited, startDeftServe, stopProcess } from './deft-serve.js';
export {
  type RecordedRequest,
  type ScriptedLlm,
  type ScriptedLlmOptions,
  type ScriptStep,
  startScriptedLlm,
} from './llm-server/scripted-llm.js';
export { SANDBOX_SKIP_REASON } from './prerequisites.js';
