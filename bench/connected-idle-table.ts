/**
 * @module
 * The connected-idle rows (`connected-idle.ts`) as a Markdown table, with the targets under it.
 */
import { type ConnectedIdleRow, type Delivery, TARGETS } from './connected-idle.ts'
import { type BenchStorage, storageNote } from './workerd.ts'

/** A figure: '–' when there is none (workerd had exited), else at most one decimal. */
const fmt = (n: number) =>
  !Number.isFinite(n) ? '–' : Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n.toFixed(1)

/** A write's delivery: p50 / p99 / max, and how many of `n` it reached. */
const delivery = (d: Delivery, n: number) =>
  Number.isNaN(d.residentAtWrite)
    ? '– | – | –'
    : `${Number.isNaN(d.answerMs) ? 'none in 30 s' : fmt(d.answerMs)} | ${fmt(d.p50)} / ${fmt(d.p99)} / ${fmt(d.max)} | ${d.received}/${n}`

/** The rows as a Markdown table, with the targets under it. */
export function connectedIdleTable(
  rows: readonly ConnectedIdleRow[],
  idleSeconds: number,
  storage: BenchStorage,
): string {
  const lines = [
    '| transport | N | errors | JS heap KiB/session | sessions resident (open → idle, peak) | awake write: resident | answered ms | delivered p50 / p99 / max ms | reached | evicted write: answered ms | delivered p50 / p99 / max ms | reached | CPU ms per wake | RSS KiB/session (open → idle) | workerd fds (open → idle) | |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.transport === 'mcp' ? 'GET /mcp' : 'GET /sse'} | ${r.n} | ${r.errors} | ${fmt(r.jsKiBPerSession)} | ${fmt(r.residentOpen)} → ${fmt(r.residentIdle)} (${fmt(r.residentPeak)}) | ${fmt(r.awake.residentAtWrite)} | ${delivery(r.awake, r.n)} | ${delivery(r.evicted, r.n)} | ${fmt(r.evicted.cpuPerWakeMs)} | ${fmt(r.kibPerSessionOpen)} → ${fmt(r.kibPerSessionIdle)} | ${fmt(r.fdsOpen)} → ${fmt(r.fdsIdle)} | ${r.misses.length === 0 ? 'ok' : `MISS: ${r.misses.join(', ')}`} |`,
    ),
  ]
  const notes = [
    `Connected idle: N sessions hold their streams open, subscribed to the leaderboard (fresh workerd per row, after ${rows[0]?.warmup ?? 0} warm-up sessions). At N ≤ ${TARGETS.awakeN} each is pinged, then one \`score\` write is timed to every subscriber while their objects are resident (awake write; "resident" counts the session objects in memory just before it; "answered" is the writer's wait for its own reply); then nothing is sent for ${idleSeconds} s, and a second write goes to subscribers whose objects were evicted (evicted write).`,
    `Targets (gated): 0 errors (failed opens, pings and awake writes, streams that ended); ≤ ${TARGETS.heapKiB} KiB of JS heap per session after the idle (the isolate's, after a full collection); 0 session objects resident after it (counted by open SQLite files); at N ≤ ${TARGETS.awakeN}, the awake write reaches every subscriber within ${TARGETS.awakeMs} ms.`,
    `Reported, not gated: the evicted write (locally every object wakes on one thread, one after another; CPU per wake is workerd's main thread from the write until all had it, divided by those reached) and RSS per session (mostly workerd's own state for each held connection). – : workerd had exited. The objects' SQLite files are ${storageNote(storage)}.`,
  ]
  return `${lines.join('\n')}\n\n${notes.join('\n\n')}\n`
}
