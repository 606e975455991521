/**
 * @module
 * Changes to a shared resource's value, applied where the value lives (in its hub object, one
 * RPC, atomically), so concurrent updates from many sessions never lose each other. Paths are
 * keys of nested plain objects; no key ever reaches a prototype (`__proto__`, `constructor` are
 * ordinary keys here).
 */

/** A path into a shared value: the keys of nested objects, outermost first. */
export type SharedPath = readonly string[]

/** One change to a shared value. */
export type SharedChange =
  /** Puts `value` at `path` (the empty path replaces the whole value). */
  | { readonly op: 'set'; readonly path: SharedPath; readonly value: unknown }
  /** Adds `by` to the number at `path` (an absent one counts as 0). */
  | { readonly op: 'increment'; readonly path: SharedPath; readonly by: number }
  /** Removes what is at `path`, if anything. */
  | { readonly op: 'delete'; readonly path: SharedPath }

type Plain = Record<string, unknown>

const opOf = (change: unknown): string => String(Reflect.get(Object(change), 'op'))

const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads an own key only: an inherited `constructor` or `__proto__` is never a value here. */
function own(object: Plain, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

/** Writes an own key without invoking any setter (an own `__proto__` stays an ordinary key). */
function put(object: Plain, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  })
}

/** The object at `path` inside `root`, created (as plain objects) where missing. */
function objectAt(root: Plain, path: SharedPath, change: SharedChange): Plain {
  let node = root
  for (const key of path) {
    const next = own(node, key)
    if (next === undefined) {
      const created: Plain = {}
      put(node, key, created)
      node = created
    } else if (isPlain(next)) {
      node = next
    } else {
      throw new Error(`${change.op} at ${JSON.stringify(change.path)}: ${key} is not an object`)
    }
  }
  return node
}

/**
 * `value` with `changes` applied in order. `value` is the hub's own copy (from storage), so it is
 * changed in place; the result is the new value. A change that doesn't fit (incrementing a
 * string, a path through a number) throws, and none of the changes is kept by the caller.
 */
export function applyChanges(value: unknown, changes: readonly SharedChange[]): unknown {
  let root = value
  for (const change of changes) {
    if (!Array.isArray(change.path) || !change.path.every((key) => typeof key === 'string')) {
      throw new Error('A shared change needs a path of string keys')
    }
    if (change.path.length === 0) {
      if (change.op === 'set') root = change.value
      else if (change.op === 'delete') root = undefined
      else throw new Error('increment needs a path to a number')
      continue
    }
    if (root === undefined) root = {}
    if (!isPlain(root)) throw new Error(`${change.op}: the shared value is not an object`)
    const parent = objectAt(root, change.path.slice(0, -1), change)
    const key = change.path[change.path.length - 1]!
    if (change.op === 'set') put(parent, key, change.value)
    else if (change.op === 'delete') delete parent[key]
    // Changes arrive over RPC from any caller: an op outside the type is refused, not guessed.
    else if (change.op !== 'increment') throw new Error(`Unknown shared change ${opOf(change)}`)
    else {
      const current = own(parent, key) ?? 0
      if (typeof current !== 'number' || !Number.isFinite(change.by)) {
        throw new Error(`increment at ${JSON.stringify(change.path)}: not a number`)
      }
      put(parent, key, current + change.by)
    }
  }
  return root
}
