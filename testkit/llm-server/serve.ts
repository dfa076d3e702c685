// A scripted LLM in its own process (for benchmarks: the model is not on the caller's event loop); prints its
// base URL. Default: every request is answered with a `think` tool call carrying a fresh thought.
// `--commands N`: each conversation runs `echo step k` for k = 1..N (counted from the tool results in the
// request, so any number of conversations can share it), then finishes.
import { type ScriptStep, startScriptedLlm } from './scripted-llm.js';

const commandsFlag = process.argv.indexOf('--commands');
const commands = commandsFlag === -1 ? 0 : Number(process.argv[commandsFlag + 1]);
if (commandsFlag !== -1 && !(Number.isInteger(commands) && commands > 0)) {
  process.stderr.write('serve: --commands needs a positive integer\n');
  process.exit(2);
}

let counter = 0;
const llm = await startScriptedLlm({
  record: false,
  fallback: {
    kind: 'function',
    respond: (request): ScriptStep => {
      if (commands === 0)
        return { toolCalls: [{ name: 'think', arguments: { thought: `step ${++counter}` } }] };
      const done = (request.body.messages ?? []).filter((message) => message.role === 'tool').length;
      if (done >= commands)
        return { toolCalls: [{ name: 'finish', arguments: { message: `ran ${done} commands` } }] };
      return { toolCalls: [{ name: 'execute_bash', arguments: { command: `echo step ${done + 1}` } }] };
    },
  },
});
process.stdout.write(`${llm.baseUrl}\n`);
process.on('SIGTERM', () => void llm.close().then(() => process.exit(0)));
