/**
 * @module
 * The event log's count and byte caps, kept at append time: the alarm prunes by age and
 * delivery, but a burst (a long batch, a chatty tool) must not grow the log past its caps until
 * the alarm next runs. Over a cap, the log is pruned down to 90 % of it, so a log that sits at
 * its cap is pruned once per tenth, not on every append; an event too big for that leaves the
 * newest alone in the log (or none, when it alone is over the cap), so the caps hold whatever one
 * event weighs. The counts run high after the alarm pruned: going over then costs one prune that
 * finds nothing to drop, and a recount.
 */
import { EventLog } from './event-log'
import type { EventLogLimits } from './event-log-schema'

/** What the caps need of the log. */
interface PrunableLog {
  size(): { events: number; bytes: number }
  prune(limits: EventLogLimits, fill?: number): number
}

/** Counts what is appended to one log and prunes it when it goes over a cap. */
export class LogCaps {
  #events: number | undefined
  #bytes = 0

  constructor(
    readonly log: PrunableLog,
    readonly limits: EventLogLimits,
  ) {}

  /** Called after each append of `bytes` bytes (UTF-8). */
  appended(bytes: number): void {
    if (this.#events === undefined) this.#recount()
    else {
      this.#events++
      this.#bytes += bytes
    }
    if (this.#events! > this.limits.maxEvents || this.#bytes > this.limits.maxBytes) {
      this.log.prune(this.limits, 0.9)
      this.#recount()
    }
  }

  #recount(): void {
    const { events, bytes } = this.log.size()
    this.#events = events
    this.#bytes = bytes
  }
}

/** A session's event log, with its caps kept at append time; `onAppend` runs after each too. */
export function cappedEventLog(
  sql: SqlStorage,
  limits: EventLogLimits,
  onAppend: () => void,
): EventLog {
  let caps: LogCaps | undefined
  const log = new EventLog(sql, (bytes) => {
    onAppend()
    caps?.appended(bytes)
  })
  caps = new LogCaps(log, limits)
  return log
}
