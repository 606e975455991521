/**
 * @module
 * `npm run bench:progress`: how many progress notifications the official SDK clients receive over
 * legacy HTTP+SSE when a tool sends them right before its result, with the server's progress gap
 * (`SSE_PROGRESS_GAP_MS`) off and at its default. The SDKs' SSE clients drop progress that lands
 * in the same network read as its result; the gap is the server's mitigation.
 * Options: `--calls N` per client and setting (default 50), `--steps N` progress per call
 * (default 3), `--gaps a,b` gaps to try in ms besides the default (default `0`), `--json`.
 */
import {
  Client as ClientV2,
  SSEClientTransport as SSEClientTransportV2,
} from '@modelcontextprotocol/client'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { type RunningWorker, startWorker, type WorkerSpec } from './workerd.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const index = args.indexOf(name)
  return index === -1 ? fallback : Number(args[index + 1])
}
const CALLS = option('--calls', 50)
const STEPS = option('--steps', 3)
const json = args.includes('--json')
const gapsIndex = args.indexOf('--gaps')
const GAPS = gapsIndex === -1 ? ['0'] : args[gapsIndex + 1]!.split(',')

const app = (gap: string | undefined): WorkerSpec => ({
  name: `progress-gap-${gap ?? 'default'}`,
  wranglerConfig: 'wrangler.toml',
  objects: { SESSION_DO: 'SessionDO', RESOURCE_HUB: 'ResourceHub', HANDLE_DO: 'HandleDO' },
  vars: { LOG_LEVEL: 'silent', ...(gap !== undefined && { SSE_PROGRESS_GAP_MS: gap }) },
})

/** One `countdown` call with no delay between steps; resolves to the progress received. */
async function call(worker: RunningWorker, sdk: 'v1' | 'v2'): Promise<number> {
  let received = 0
  const onprogress = () => {
    received++
  }
  const url = new URL(`${worker.baseUrl}/sse`)
  const params = { name: 'countdown', arguments: { from: STEPS, intervalMs: 0 } }
  if (sdk === 'v1') {
    const client = new Client({ name: 'bench-progress', version: '1' })
    client.onerror = () => {} // the dropped progress is reported here: that's what we count
    await client.connect(new SSEClientTransport(url))
    await client.callTool(params, undefined, { onprogress })
    await client.close()
  } else {
    const client = new ClientV2({ name: 'bench-progress', version: '1' })
    client.onerror = () => {}
    await client.connect(new SSEClientTransportV2(url))
    await client.callTool(params, { onprogress })
    await client.close()
  }
  return received
}

async function main(): Promise<void> {
  const rows: Array<{
    gap: string
    sdk: string
    received: number
    sent: number
    fullCalls: number
  }> = []
  for (const gap of [...GAPS, undefined]) {
    const worker = await startWorker(app(gap))
    try {
      for (const sdk of ['v1', 'v2'] as const) {
        await call(worker, sdk) // warm-up, not counted
        const counts: number[] = []
        for (let i = 0; i < CALLS; i++) counts.push(await call(worker, sdk))
        rows.push({
          gap: gap === undefined ? 'default (20 ms)' : `${gap} ms`,
          sdk,
          received: counts.reduce((sum, n) => sum + n, 0),
          sent: CALLS * STEPS,
          fullCalls: counts.filter((n) => n === STEPS).length,
        })
      }
    } finally {
      await worker.stop()
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    return
  }
  process.stdout.write(
    `| gap | SDK | progress received | calls with all of it |\n|---|---|---:|---:|\n`,
  )
  for (const r of rows) {
    const pct = ((100 * r.received) / r.sent).toFixed(0)
    process.stdout.write(
      `| ${r.gap} | ${r.sdk} | ${r.received}/${r.sent} (${pct}%) | ${r.fullCalls}/${CALLS} |\n`,
    )
  }
}

await main()
