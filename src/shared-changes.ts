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
  /**
   * Keeps the `count` entries of the object at `path` whose numbers are highest and removes the
   * rest (a bounded leaderboard); of equal numbers, the earlier keys stay. Every entry must be a
   * number; an absent object is left absent.
   */
  | { readonly op: 'keepHighest'; readonly path: SharedPath; readonly count: number }

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

/** The object at `path` inside `root`, without creating anything; undefined when absent. */
function existingAt(root: unknown, path: SharedPath, change: SharedChange): Plain | undefined {
  let node = root
  for (const key of path) {
    if (node === undefined) return undefined
    if (!isPlain(node))
      throw new Error(`${change.op} at ${JSON.stringify(change.path)}: not an object`)
    node = own(node, key)
  }
  if (node === undefined || isPlain(node)) return node
  throw new Error(`${change.op} at ${JSON.stringify(change.path)}: not an object`)
}

/** Removes all but the `count` highest-numbered entries of the object at the change's path. */
function keepHighest(root: unknown, change: SharedChange & { op: 'keepHighest' }): void {
  if (!Number.isInteger(change.count) || change.count < 0) {
    throw new Error('keepHighest needs a count of 0 or more')
  }
  const target = existingAt(root, change.path, change)
  if (target === undefined) return
  const entries = Object.entries(target)
  for (const [key, points] of entries) {
    if (typeof points !== 'number') {
      throw new Error(`keepHighest at ${JSON.stringify(change.path)}: ${key} is not a number`)
    }
  }
  if (entries.length <= change.count) return
  // A stable sort: of equal numbers, the earlier key stays first.
  const ranked = entries.sort(([, a], [, b]) => (b as number) - (a as number))
  for (const [key] of ranked.slice(change.count)) delete target[key]
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
    if (change.op === 'keepHighest') {
      keepHighest(root, change)
      continue
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
