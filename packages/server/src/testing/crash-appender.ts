// Child process of the crash test: appends to one conversation in a tight loop and reports on stdout every
// id whose append resolved ("A <id>") and every id a subscriber was sent ("S <id>"), until it is killed.
import { createAction } from '@deft/protocol';
import { EventLog } from '../events/event-log.js';
import { openDatabase } from '../storage/database.js';

const [dataDir, url = '', pgSchema] = process.argv.slice(2);
const conversationId = 'c'.repeat(32);
const handle = await openDatabase({ dataDir: dataDir!, url, pgSchema });
const log = new EventLog(handle);
const out = (line: string) => process.stdout.write(`${line}\n`);

const subscription = log.subscribe(conversationId, -1);
void (async () => {
  for await (const event of subscription) out(`S ${event.id}`);
})();

out('READY');
let n = 0;
const inFlight = new Set<Promise<void>>();
for (;;) {
  const append = log
    .append(conversationId, createAction('message', { content: `m${n++}` }, { source: 'user' }))
    .then((event) => {
      out(`A ${event.id}`);
      inFlight.delete(append);
    });
  inFlight.add(append);
  if (inFlight.size >= 32) await Promise.race(inFlight);
}
