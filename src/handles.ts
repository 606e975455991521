/**
 * @module
 * Durable handles (SEP-2567): state that outlives a request without a session. A tool mints a
 * handle, returns its id to the client, and gets it back as an ordinary argument; each handle
 * is an object of its own (`HandleDO`, the `HANDLE_DO` binding), bound to the principal that
 * minted it and expiring after `HANDLE_TTL_MS` without use. Works in both eras.
 */
import type { HandleDO } from '../durable/handle-do'
import type { StorageListOptions } from './define-mcp-server'
import type { FrameworkBindings } from './types'

/** A handle's key-value storage: a session's storage API, awaited (each call is one RPC). */
export interface HandleStorage {
  get<T = unknown>(key: string): Promise<T | undefined>
  put(key: string, value: unknown): Promise<void>
  delete(key: string): Promise<boolean>
  /**
   * Entries whose key starts with `prefix` (all entries when omitted), in key order; `options`
   * makes it a page.
   */
  list<T = unknown>(prefix?: string, options?: StorageListOptions): Promise<Map<string, T>>
}

/** One handle of the caller's. */
export interface Handle {
  /** What the client passes back to name it (opaque to the client). */
  readonly id: string
  readonly storage: HandleStorage
  /** Ends the handle and deletes what it holds. */
  end(): Promise<void>
}

/** Minting and opening the caller's handles. */
export interface Handles {
  /** Mints a new handle, owned by the caller. */
  create(): Promise<Handle>
  /**
   * The caller's handle `id`; undefined when there is none: unknown, expired, malformed, or
   * another principal's (those look alike, so ids can't be probed).
   */
  open(id: string): Promise<Handle | undefined>
}

/** A handle id is its object's id: 64 lower-case hex digits. */
const HANDLE_ID = /^[0-9a-f]{64}$/

const GONE = 'The handle expired or was ended'

function namespace(env: unknown): DurableObjectNamespace<HandleDO> {
  const binding = (env as FrameworkBindings).HANDLE_DO as
    | DurableObjectNamespace<HandleDO>
    | undefined
  if (binding === undefined) {
    throw new Error(
      'Handles need a HANDLE_DO Durable Object binding (class HandleDO) in wrangler.toml',
    )
  }
  return binding
}

function handle(id: string, stub: DurableObjectStub<HandleDO>, principal: string): Handle {
  return {
    id,
    storage: {
      get: async <T>(key: string) => (await stub.get(principal, key)) as T | undefined,
      put: async (key, value) => {
        if (!(await stub.put(principal, key, value))) throw new Error(GONE)
      },
      delete: (key) => stub.delete(principal, key),
      list: async <T>(prefix = '', options: StorageListOptions = {}) =>
        new Map((await stub.list(principal, prefix, options)) as [string, T][]),
    },
    end: async () => {
      await stub.end(principal)
    },
  }
}

/**
 * The handles of the principal `owner` names (read when a handle is first used), through
 * `env`'s `HANDLE_DO` binding.
 */
export function handlesFor(env: unknown, owner: () => string): Handles {
  return {
    async create() {
      const principal = owner()
      const ns = namespace(env)
      const id = ns.newUniqueId()
      const stub = ns.get(id)
      await stub.mint(principal)
      return handle(id.toString(), stub, principal)
    },
    async open(id) {
      const principal = owner()
      if (!HANDLE_ID.test(id)) return undefined
      const ns = namespace(env)
      let objectId: DurableObjectId
      try {
        objectId = ns.idFromString(id)
      } catch {
        return undefined
      }
      const stub = ns.get(objectId)
      return (await stub.open(principal)) ? handle(id, stub, principal) : undefined
    },
  }
}
