/**
 * @module
 * A hub's check of its subscribers. A session normally leaves the hubs it subscribed to when it
 * ends; one whose leave failed stays listed until a write tells it and hears that it is gone, so
 * a hub that is never written would keep it for good. From its alarm, a hub with subscribers
 * asks each one whether it still listens, and drops those that don't.
 */

/** The session objects' RPC that the check calls. */
interface CheckableSession {
  subscribedTo(uri: string): Promise<boolean>
}

/** The session objects' namespace, as a hub checking its subscribers sees it. */
export type CheckableSessions = DurableObjectNamespace<CheckableSession & Rpc.DurableObjectBranded>

/** How many sessions are asked at once. */
const CHECK_CONCURRENCY = 128

/**
 * The sessions of `sessionIds` that no longer listen to `uri`: gone, unsubscribed, or not a
 * session id at all. One whose call fails (its object restarting, say) is kept.
 */
export async function goneSessions(
  sessions: CheckableSessions,
  uri: string,
  sessionIds: readonly string[],
): Promise<string[]> {
  const gone: string[] = []
  let next = 0
  const ask = async () => {
    for (let i = next++; i < sessionIds.length; i = next++) {
      const sessionId = sessionIds[i]!
      if (!(await listens(sessions, sessionId, uri))) gone.push(sessionId)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, sessionIds.length) }, ask))
  return gone
}

async function listens(sessions: CheckableSessions, sessionId: string, uri: string) {
  let id: DurableObjectId
  try {
    id = sessions.idFromString(sessionId)
  } catch {
    return false
  }
  try {
    return await sessions.get(id).subscribedTo(uri)
  } catch {
    return true
  }
}
