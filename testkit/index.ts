export {
  type RecordedRequest,
  type ScriptedLlm,
  type ScriptedLlmOptions,
  type ScriptStep,
  startScriptedLlm,
} from './llm-server/scripted-llm.js';
