// A scripted LLM in its own process (for benchmarks: the model is not on the caller's event loop).
// Answers every request with a `think` tool call carrying a fresh thought; prints its base URL.
import { startScriptedLlm } from './scripted-llm.js';

let counter = 0;
const llm = await startScriptedLlm({
  record: false,
  fallback: {
    kind: 'function',
    respond: () => ({ toolCalls: [{ name: 'think', arguments: { thought: `step ${++counter}` } }] }),
  },
});
process.stdout.write(`${llm.baseUrl}\n`);
process.on('SIGTERM', () => void llm.close().then(() => process.exit(0)));
