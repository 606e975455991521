/**
 * Looking inside a session's object: its stored keys and values, read in the object itself.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

/** The stub of the object that holds session `sessionId`. */
export function sessionObject(sessionId: string) {
  return env.SESSION_DO.get(env.SESSION_DO.idFromString(sessionId))
}

/** Every key and value the session's object has stored. */
export function storedEntries(sessionId: string): Promise<Array<[string, unknown]>> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => [
    ...state.storage.kv.list(),
  ])
}

/** The stub of a brand-new, empty object (for tests that use its storage directly). */
export function freshObject() {
  return env.SESSION_DO.get(env.SESSION_DO.newUniqueId())
}
