/**
 * @module
 * `input_required` round trips (2026-07-28) behind the same `await tool.elicit(...)` a session's
 * tool writes. A handler runs; each request for input gets a key (its own, or one from the order
 * of the calls) and resolves from the client's `inputResponses` or from the answers of earlier
 * rounds, carried in `requestState`. The first one nobody has answered yet ends the run: the
 * call is answered `input_required` with every unanswered request of that step, and the state
 * of the answers so far. The client's retry runs the handler again from the start.
 *
 * `requestState` is signed, bound to the request and single-use (`request-state.ts`): a state
 * that fails is refused by the SDK with `-32602` before the handler runs.
 */
import {
  type InputRequest,
  inputRequired,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server'

/** What `requestState` carries: the answers of earlier rounds, by key. */
export interface RoundState {
  readonly answers: Record<string, unknown>
}

/** The input requests and answers of one run of a handler. */
export class InputRound {
  readonly #responses: Record<string, unknown>
  readonly #answers: Record<string, unknown>
  readonly #pending = new Map<string, InputRequest>()
  #calls = 0
  #needed!: () => void
  /** Settles when the run asked for input no one has given yet. */
  readonly needed = new Promise<void>((resolve) => {
    this.#needed = resolve
  })

  constructor(ctx: ServerContext) {
    this.#responses = ctx.mcpReq.inputResponses ?? {}
    this.#answers = { ...(ctx.mcpReq.requestState<RoundState>()?.answers ?? {}) }
  }

  /** The key of the next request for input: the caller's, or `input-<n>` by call order. */
  key(chosen: string | undefined): string {
    this.#calls++
    return chosen ?? `input-${this.#calls}`
  }

  /**
   * The answer to `request` under `key`: this round's response (checked by `check`), an earlier
   * round's, or, when there is none, a promise that never settles while the run is ended.
   */
  answer<T>(key: string, request: InputRequest, check: (response: unknown) => T): Promise<T> {
    if (Object.hasOwn(this.#responses, key)) {
      const answer = check(this.#responses[key])
      this.#answers[key] = answer
      return Promise.resolve(answer)
    }
    if (Object.hasOwn(this.#answers, key)) return Promise.resolve(this.#answers[key] as T)
    this.#pending.set(key, request)
    this.#needed()
    // Never settles: the run ends here. A fresh promise each time, so nothing keeps the
    // abandoned run alive once the call is answered.
    return new Promise<T>(() => undefined)
  }

  /** The `input_required` result that ends this run (after every request of its step). */
  async result(codec: RequestStateCodec<RoundState>, ctx: ServerContext) {
    return inputRequired({
      inputRequests: Object.fromEntries(this.#pending),
      requestState: await codec.mint({ answers: this.#answers }, ctx),
    })
  }
}

/**
 * Runs `handler` with a fresh round: its result, or, when it asked for input nobody has given,
 * the `input_required` result (once every request made in the same step is in).
 */
export async function withInputRounds<R>(
  ctx: ServerContext,
  codec: () => RequestStateCodec<RoundState>,
  handler: (round: InputRound) => Promise<R>,
) {
  const round = new InputRound(ctx)
  const outcome = await Promise.race([
    handler(round).then((value) => ({ value })),
    round.needed.then(() => undefined),
  ])
  if (outcome !== undefined) return outcome.value
  // Requests made side by side (Promise.all) are all in by the next macrotask.
  await new Promise((resolve) => setTimeout(resolve, 0))
  return round.result(codec(), ctx)
}
