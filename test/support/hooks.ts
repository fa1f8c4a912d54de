// Global mocha hooks: filled in by test/support/backends.ts (backend teardown) and the leak gate.
export const mochaHooks = {}
