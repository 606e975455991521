/**
 * @module
 * The `requestState` of 2026-07-28 input rounds: what a client echoes to carry earlier answers
 * from one round to the next. It is attacker-controlled, so it is
 * - signed: SDK v2's HMAC-SHA256 codec, with `REQUEST_STATE_KEY`, or, while that is unset, a key
 *   minted once and kept in a Durable Object (`RequestStateDO`, the `REQUEST_STATE_DO` binding),
 *   read once per isolate, so a round that lands on another isolate verifies too;
 * - bound to the caller, the method and what the request is about (a tool's or prompt's name and
 *   arguments, a resource's URI), and valid for 10 minutes;
 * - single-use: each state carries a random nonce, which the retry that carries it spends in a
 *   `RequestStateDO` ledger (one of sixteen, by its first digit); a state spent before is
 *   refused like a tampered one, so one state can't complete a call twice. It carries only the
 *   client's own answers, so a client that answers again without it makes a fresh call, which
 *   runs to the end like any other: single use is no guard against that.
 *
 * A state that fails any of these is refused by the SDK with `-32602` before the handler runs,
 * quietly (the client's doing, however many come); a failure to check it (the key or a ledger
 * out of reach) is refused the same way, and logged.
 */
import {
  createRequestStateCodec,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { RequestStateDO } from '../../durable/request-state-do'
import { readSessionConfig } from '../session-config'
import type { FrameworkBindings } from '../types'
import type { RoundState } from './input-rounds'

/** How long a state verifies after it was minted (the SDK's default, stated). */
const STATE_TTL_SECONDS = 600

/** How long a spent state is remembered: its lifetime, and a minute for clocks that disagree. */
const SPENT_FOR_MS = (STATE_TTL_SECONDS + 60) * 1_000

/** The name of the object that keeps the signing key. */
const KEY_OBJECT = 'signing-key'

/** A state's nonce: 128 random bits, 32 lower-case hex digits. */
const NONCE = /^[0-9a-f]{32}$/

const MISSING_BINDING =
  'Input rounds (2026-07-28 input_required) need a REQUEST_STATE_DO Durable Object binding (class RequestStateDO) in wrangler.toml: it keeps each round’s requestState single-use'

/** What a state seals: the round's answers and its nonce. */
interface SealedState extends RoundState {
  readonly once: string
}

/** The key kept in `REQUEST_STATE_DO`, once read by this isolate. */
let storedKey: Promise<Uint8Array> | undefined

/** The key in the `signing-key` object (minted by the first isolate to ask), read once. */
function keptKey(states: DurableObjectNamespace<RequestStateDO>): Promise<Uint8Array> {
  storedKey ??= (async () => {
    try {
      return await states.get(states.idFromName(KEY_OBJECT)).signingKey()
    } catch (error) {
      storedKey = undefined
      throw error
    }
  })()
  return storedKey
}

/** A fresh nonce. */
function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** JSON with object keys in order, so the same arguments always bind the same way. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
  return `{${entries.join(',')}}`
}

/**
 * What a request's `requestState` is bound to: the caller, the method, and what the request is
 * about (a tool's or prompt's name and arguments, a resource's URI).
 */
export function stateBinding(principal: string, body: unknown): string {
  const message = (typeof body === 'object' && body !== null ? body : {}) as {
    method?: unknown
    params?: { name?: unknown; arguments?: unknown; uri?: unknown }
  }
  const { name, arguments: args, uri } = message.params ?? {}
  return `${principal}\u0000${String(message.method)}\u0000${canonical({ name, args, uri })}`
}

/**
 * `work`, its failure logged: the SDK answers any failure of `verify` as a bad state (`-32602`)
 * and says no more, which is right for the client's doing (a forged, expired or spent state) and
 * would hide the server's own (storage it could not reach).
 */
async function faultLogged<T>(work: Promise<T>, what: string): Promise<T> {
  try {
    return await work
  } catch (error) {
    console.error(`requestState: ${what}:`, error)
    throw error
  }
}

/**
 * The codec of the requests bound by `binding` (see {@link stateBinding}), through `env`'s
 * `REQUEST_STATE_DO` binding (throws when there is none) and `REQUEST_STATE_KEY` var. `verify`
 * spends the state: it throws, as for a bad signature, when the state was spent before.
 */
export function requestStateCodec(env: unknown, binding: string): RequestStateCodec<RoundState> {
  const states = (env as FrameworkBindings).REQUEST_STATE_DO as
    | DurableObjectNamespace<RequestStateDO>
    | undefined
  if (states === undefined) throw new Error(MISSING_BINDING)
  const key = readSessionConfig(env).requestStateKey
  let signed: Promise<RequestStateCodec<SealedState>> | undefined
  const codec = () =>
    (signed ??= (async () =>
      createRequestStateCodec<SealedState>({
        key: key ?? (await keptKey(states)),
        ttlSeconds: STATE_TTL_SECONDS,
        bind: () => binding,
      }))())
  return {
    async mint(payload: RoundState, ctx?: ServerContext) {
      return (await codec()).mint({ ...payload, once: nonce() }, ctx)
    },
    async verify(state: string, ctx: ServerContext) {
      const signing = await faultLogged(
        codec(),
        'its signing key (REQUEST_STATE_DO) could not be read',
      )
      const { once, ...payload } = await signing.verify(state, ctx)
      if (typeof once !== 'string' || !NONCE.test(once)) throw new Error('malformed')
      const ledger = states.get(states.idFromName(`spent:${once[0]}`))
      const spending = ledger.spend(once, Date.now() + SPENT_FOR_MS)
      if (!(await faultLogged(spending, 'its single-use ledger (REQUEST_STATE_DO) failed'))) {
        throw new Error('spent')
      }
      return payload
    },
  }
}
