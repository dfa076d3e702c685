export { EventLog, type EventLogOptions } from './event-log.js';
export { type EventSearchQuery, MAX_SEARCH_LIMIT } from './search-query.js';
export { SECRET_PLACEHOLDER, SecretMasker } from './secret-masker.js';
export type { StoredEvent } from './stored-event.js';
export { EventSubscription } from './subscription.js';
