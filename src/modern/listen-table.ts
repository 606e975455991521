/**
 * @module
 * What the open `subscriptions/listen` streams of one isolate hold: streams and hub watches,
 * in all and per principal, kept within the `LISTEN_MAX_*` limits. It lives in the isolate's
 * memory (the only state a Worker shares between requests), so a principal whose requests
 * land on several isolates may hold up to the per-principal limits in each.
 */

import type { ListenLimits } from '../session-config'

/** What one principal holds. */
interface Held {
  streams: number
  watches: number
}

/** The open listen streams of one isolate (one app, as `src/index.ts` builds it). */
export class ListenTable {
  readonly #all: Held = { streams: 0, watches: 0 }
  readonly #byPrincipal = new Map<string, Held>()

  /**
   * Takes one stream with `watches` hub watches for `principal`: the function that gives them
   * back (once, when the stream ends), or undefined when that would pass one of `limits`.
   */
  claim(principal: string, watches: number, limits: ListenLimits): (() => void) | undefined {
    const held = this.#byPrincipal.get(principal) ?? { streams: 0, watches: 0 }
    if (
      this.#all.streams >= limits.maxStreams ||
      held.streams >= limits.maxStreamsPerPrincipal ||
      this.#all.watches + watches > limits.maxHubWatches ||
      held.watches + watches > limits.maxHubWatchesPerPrincipal
    ) {
      return undefined
    }
    for (const count of [this.#all, held]) {
      count.streams++
      count.watches += watches
    }
    this.#byPrincipal.set(principal, held)
    let live = true
    return () => {
      if (!live) return
      live = false
      for (const count of [this.#all, held]) {
        count.streams--
        count.watches -= watches
      }
      if (held.streams === 0) this.#byPrincipal.delete(principal)
    }
  }

  /** What is held in all, or by `principal` (for monitoring and tests). */
  held(principal?: string): Readonly<Held> {
    if (principal === undefined) return { ...this.#all }
    return { ...(this.#byPrincipal.get(principal) ?? { streams: 0, watches: 0 }) }
  }
}
