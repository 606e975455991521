/**
 * @module
 * Durable handles (SEP-2567): state that outlives a request without a session. A tool mints a
 * handle, returns its id to the client, and gets it back as an ordinary argument; each handle
 * is an object of its own (`HandleDO`, the `HANDLE_DO` binding), bound to the principal that
 * minted it and expiring after `HANDLE_TTL_MS` without use. A principal holds at most
 * `HANDLE_MAX_PER_PRINCIPAL` live handles, counted by an object of its own (`HandleOwnerDO`, the
 * `HANDLE_OWNER_DO` binding). Works in both eras.
 */
import type { HandleDO } from '../durable/handle-do'
import type { HandleOwnerDO } from '../durable/handle-owner-do'
import type { StorageListOptions } from './define-mcp-server'
import { readSessionConfig } from './session-config'
import { type FrameworkBindings, type Principal, quotaKeyOf } from './types'

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
  /**
   * Mints a new handle, owned by the caller. Throws {@link HandleLimitReached} when the caller
   * already holds `HANDLE_MAX_PER_PRINCIPAL` live handles (in a tool, unless caught, the call's
   * answer is then an error result with its message).
   */
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

/** Thrown by `create()` when the caller already holds as many live handles as it may. */
export class HandleLimitReached extends Error {
  constructor(readonly limit: number) {
    super(
      `Handle limit reached: the caller already holds ${limit} live handle${limit === 1 ? '' : 's'}, the most allowed. End one, or wait until one expires.`,
    )
    this.name = 'HandleLimitReached'
  }
}

/** The namespaces of handles and of their owners' quotas. */
interface Namespaces {
  readonly handles: DurableObjectNamespace<HandleDO>
  readonly owners: DurableObjectNamespace<HandleOwnerDO>
}

function namespaces(env: unknown): Namespaces {
  const bindings = env as FrameworkBindings
  const handles = bindings.HANDLE_DO as DurableObjectNamespace<HandleDO> | undefined
  const owners = bindings.HANDLE_OWNER_DO as DurableObjectNamespace<HandleOwnerDO> | undefined
  if (handles === undefined || owners === undefined) {
    throw new Error(
      'Handles need the HANDLE_DO and HANDLE_OWNER_DO Durable Object bindings (classes HandleDO and HandleOwnerDO) in wrangler.toml',
    )
  }
  return { handles, owners }
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
 * The handles of the principal `owner` returns (read when a handle is first used), through
 * `env`'s `HANDLE_DO` binding; they count against its quota key's quota (its name's, unless
 * it has one: with auth off, its client address's).
 */
export function handlesFor(env: unknown, owner: () => Principal): Handles {
  return {
    async create() {
      const principal = owner().name
      const quotaKey = quotaKeyOf(owner())
      const { handles, owners } = namespaces(env)
      const { handleTtlMs, handleMaxPerPrincipal: limit } = readSessionConfig(env)
      const objectId = handles.newUniqueId()
      const id = objectId.toString()
      const quota = owners.get(owners.idFromName(quotaKey))
      const now = Date.now()
      if (!(await quota.reserve(id, now + handleTtlMs, limit))) throw new HandleLimitReached(limit)
      const stub = handles.get(objectId)
      try {
        await stub.mint(principal, now, quotaKey)
      } catch (error) {
        await quota.release(id)
        throw error
      }
      return handle(id, stub, principal)
    },
    async open(id) {
      const principal = owner().name
      if (!HANDLE_ID.test(id)) return undefined
      const ns = namespaces(env).handles
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
