/**
 * @module
 * Starting a session's live half: the server connected to its transport and, after the object
 * restarted, brought back to where the session was.
 */
import type { McpServer } from '@modelcontextprotocol/server'
import { jsonRpcError, RPC_ERROR } from '../src/protocol/json-rpc-error'
import type { SessionConfig } from '../src/session-config'
import type { MessageSink } from '../src/transports/message-sink'
import type { SessionTransport } from '../src/transports/session-transport'
import type { EventLog } from './event-log'
import { LiveSession } from './live-session'
import type { SessionRecord } from './session-state'
import type { SessionWiring } from './session-wiring'

/** The error a request gets when the object restarted before it finished. */
const INTERRUPTED = 'Request interrupted: the server restarted before it finished; please retry'

/** Id used to replay stored requests into a fresh server; their responses are discarded. */
const REPLAY_ID = 'mcp-workers/replay'

/**
 * Connects `server` to `transport` and, for a session that existed before this object instance,
 * restores what the server keeps only in memory by replaying the stored requests (`initialize`,
 * `notifications/initialized`, `logging/setLevel`), and answers every request the previous
 * instance left without a response with an error, so no client waits for it forever.
 */
export async function startLiveSession(
  server: McpServer,
  wiring: SessionWiring,
  log: EventLog,
  config: SessionConfig,
  record: SessionRecord,
  restore: boolean,
): Promise<LiveSession> {
  const { transport } = wiring
  await server.connect(transport)
  const live = new LiveSession(server, wiring, log, config, record)
  if (!restore) return live
  if (record.initializeParams !== undefined) {
    await replay(transport, 'initialize', record.initializeParams)
    if (record.initialized)
      transport.receive({ jsonrpc: '2.0', method: 'notifications/initialized' })
  }
  if (record.logLevel !== undefined) {
    await replay(transport, 'logging/setLevel', { level: record.logLevel })
  }
  for (const { id, missing } of log.interruptedStreams()) {
    for (const requestId of missing) {
      log.append(id, {
        jsonrpc: '2.0',
        id: requestId,
        error: jsonRpcError(RPC_ERROR.internalError, INTERRUPTED).error,
      })
    }
    log.finishStream(id)
  }
  return live
}

/** Feeds one stored request to a fresh server and waits for (and discards) its answer. */
async function replay(
  transport: SessionTransport,
  method: string,
  params: Record<string, unknown>,
): Promise<void> {
  let done!: () => void
  const answered = new Promise<void>((resolve) => {
    done = resolve
  })
  const sink: MessageSink = { closed: false, send: () => done() }
  transport.receive({ jsonrpc: '2.0', id: REPLAY_ID, method, params }, sink)
  await answered
}
