/**
 * @module
 * The JSON-RPC error responses a session object answers with, in one place so both transports
 * word them alike.
 */
import type { RequestId } from '@modelcontextprotocol/server'
import { jsonRpcError, jsonRpcErrorResponse, RPC_ERROR } from '../src/protocol/json-rpc-error'

/** Unknown, ended, or someone else's session: all look the same, so ids can't be probed. */
export const sessionNotFound = () =>
  jsonRpcErrorResponse(404, RPC_ERROR.sessionNotFound, 'Session not found')

/** The session ended while the request was in flight. */
export const sessionTerminated = () =>
  jsonRpcErrorResponse(404, RPC_ERROR.sessionNotFound, 'Session terminated')

/** An id of one transport presented on the other. */
export const differentTransport = () =>
  jsonRpcErrorResponse(
    400,
    RPC_ERROR.serverError,
    'Bad Request: this session id belongs to a different transport',
  )

/** `initialize` whose params don't parse. */
export const malformedInitialize = () =>
  jsonRpcErrorResponse(400, RPC_ERROR.invalidParams, 'Invalid params: malformed initialize')

/** A second `initialize` on a session. */
export const alreadyInitialized = () =>
  jsonRpcErrorResponse(
    400,
    RPC_ERROR.invalidRequest,
    'Invalid Request: the session is already initialized',
  )

/** A batch on a session whose revision removed batching. */
export const batchNotAllowed = (version: string) =>
  jsonRpcErrorResponse(
    400,
    RPC_ERROR.invalidRequest,
    `Invalid Request: batches are not supported at protocol version ${version}`,
  )

/**
 * A request whose id a request of this session still in flight has: JSON-RPC ids tell replies
 * apart, so the second is refused (the first goes on).
 */
export const requestIdInUse = (id: RequestId) =>
  Response.json(
    jsonRpcError(
      RPC_ERROR.invalidRequest,
      `Invalid Request: request id ${JSON.stringify(id)} is in use by a request still in flight`,
      id,
    ),
    { status: 400 },
  )

/** A `Last-Event-ID` that is malformed, or names no stream of this session (checklist F.47). */
export const badLastEventId = (why: 'malformed' | 'unknown') =>
  jsonRpcErrorResponse(400, RPC_ERROR.serverError, `Bad Request: ${why} Last-Event-ID`)

/** A `Last-Event-ID` after which the event log's caps dropped events of that stream. */
export const eventsPruned = () =>
  jsonRpcErrorResponse(
    400,
    RPC_ERROR.serverError,
    'Bad Request: events after this Last-Event-ID are no longer in the event log',
  )
