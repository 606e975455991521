/**
 * @module
 * The connected-idle rows (`connected-idle.ts`) as a Markdown table, with the targets under it.
 */
import type { ConnectedIdleRow } from './connected-idle.ts'
import { type BenchStorage, storageNote } from './workerd.ts'

/** A figure: '–' when there is none (workerd had exited), else at most one decimal. */
const fmt = (n: number) =>
  !Number.isFinite(n) ? '–' : Number.isInteger(n) || n >= 100 ? n.toFixed(0) : n.toFixed(1)

/** The rows as a Markdown table, with the targets under it. */
export function connectedIdleTable(
  rows: readonly ConnectedIdleRow[],
  idleSeconds: number,
  storage: BenchStorage,
): string {
  const lines = [
    '| transport | N | errors | RSS KiB/session (open → idle) | JS heap KiB/session | workerd fds (open → idle) | sessions resident (open → idle, peak) | delivery p50 / p99 / max ms | received | write CPU ms | |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.transport === 'mcp' ? 'GET /mcp' : 'GET /sse'} | ${r.n} | ${r.errors} | ${fmt(r.kibPerSessionOpen)} → ${fmt(r.kibPerSessionIdle)} | ${fmt(r.jsKiBPerSession)} | ${fmt(r.fdsOpen)} → ${fmt(r.fdsIdle)} | ${fmt(r.residentOpen)} → ${fmt(r.residentIdle)} (${fmt(r.residentPeak)}) | ${fmt(r.deliveryP50)} / ${fmt(r.deliveryP99)} / ${fmt(r.deliveryMax)} | ${r.received}/${r.n} | ${fmt(r.writeCpuMs)} | ${r.misses.length === 0 ? 'ok' : `MISS: ${r.misses.join(', ')}`} |`,
    ),
  ]
  return `${lines.join('\n')}\n\nConnected idle: each session holds its stream open and sends nothing for ${idleSeconds} s (fresh workerd per row, after ${rows[0]?.warmup ?? 0} warm-up sessions), then one \`score\` write must reach every subscriber (JS heap: the isolate's, after a full collection, a part of the RSS; write CPU: workerd's main thread from the write until all had it; – after idle: workerd had exited). Targets: 0 errors; ≤ 64 KiB RSS per session after the idle; 0 session objects resident after it (counted by open SQLite files); every subscriber reached, within 2000 ms at N ≤ 1000. The objects' SQLite files are ${storageNote(storage)}.\n`
}
