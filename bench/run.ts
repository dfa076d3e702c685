// npm run bench -- <name>: runs bench/<name>.ts, whose default export is an async function.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: npm run bench -- <name>   (e.g. eventlog, sandbox, agent, server)\n');
  process.exit(2);
}
const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
if (!existsSync(file)) {
  process.stderr.write(`bench: no benchmark named ${name}\n`);
  process.exit(2);
}
const mod = (await import(file)) as { default: () => Promise<void> };
await mod.default();
process.exit(0);
