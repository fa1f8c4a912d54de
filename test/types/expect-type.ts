/**
 * Compile-time assertions for the type tests in this folder. They are typechecked by
 * `npx tsc -p tsconfig.check.json` and never run (mocha's glob is `*.test.ts`; these are
 * `*.types.ts`).
 */

/** True when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false

/**
 * `expectType<[number, string]>()(value)` compiles only when `value` has exactly that type;
 * otherwise the call wants a second argument that spells out both types.
 */
export function expectType<Expected>() {
  return <Actual>(_value: Actual, ..._mismatch: Equal<Expected, Actual> extends true ? [] : [mismatch: { expected: Expected; actual: Actual }]): void => {}
}
