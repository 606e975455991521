/**
 * @module
 * HTTP+SSE (2024-11-05): `GET /sse` opens a session's event stream. Without a `sessionId`
 * it starts a new session; with one it reconnects to that session (an extension of ours).
 */
import { Hono } from 'hono'
import { mcpHttpError } from '../src/http-error'
import { RPC_ERROR } from '../src/protocol/json-rpc-error'
import { readSessionConfig } from '../src/session-config'
import { type AppEnv, HEADER } from '../src/types'
import { optionalSessionIdQuery, refuseHead, requireAccept } from './request-checks'
import { caller, newSession, sessionStub, streamSocketRequest } from './session-stub'
import { bridgeStream } from './stream-bridge'

const KIND = 'sse'

/** Builds the `/sse` sub-app. Mount it with `app.route('/sse', sseRoutes())`. */
export function sseRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get(
    '/',
    refuseHead('GET'),
    requireAccept(['text/event-stream'], { absentOk: true }),
    optionalSessionIdQuery,
    async function sseConnect(c) {
      const { sessionId } = c.req.valid('query')
      // The POST endpoint sits beside this one, so it is right under any mount prefix.
      const messages = c.req.path.replace(/\/sse\/?$/, '/messages')
      const call = { ...caller(c, KIND), lastEventId: c.req.header(HEADER.lastEventId) }
      const create = sessionId === undefined
      const session = create
        ? newSession(c.env)
        : { id: sessionId, stub: sessionStub(c.env, sessionId) }
      const endpoint = `${messages}?sessionId=${session.id}`
      // The Worker holds the stream. The first socket may create the session; a
      // reconnect resumes it, with a fresh stub: one that saw its object restart may stay broken.
      return bridgeStream(
        (resumeAfter) =>
          resumeAfter === undefined
            ? session.stub.fetch(
                streamSocketRequest({ ...call, stream: 'legacy', endpoint, create }),
              )
            : sessionStub(c.env, session.id).fetch(
                streamSocketRequest({
                  ...call,
                  stream: 'legacy',
                  endpoint,
                  create: false,
                  lastEventId: resumeAfter,
                  reconnect: true,
                }),
              ),
        { keepaliveMs: readSessionConfig(c.env).keepaliveMs },
      )
    },
  )

  // Clients that probe Streamable HTTP first POST here and fall back to GET on a 4xx.
  app.all('/', function sseMethodNotAllowed() {
    throw mcpHttpError(405, RPC_ERROR.serverError, 'Method Not Allowed', { allow: 'GET' })
  })

  return app
}
