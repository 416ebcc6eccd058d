/**
 * `@syncline/client/testing`: what an app's own tests need. The in-memory store runs the
 * engine without IndexedDB (`createSyncClient({ store: createMemoryStore(), ... })`), and the
 * store contract suite checks a store of your own against the behaviour the engine relies on
 * (it calls vitest's `describe`/`it`, so run it from a vitest test file).
 */
export { createMemoryStore } from './store/memory-store';
export { describeStoreContract } from './store/store-contract';
