/**
 * @module
 * What `/proc` tells about a running workerd for the connected-idle bench: its open files, its
 * file-descriptor limit, and how many session objects are resident.
 *
 * ## Resident session objects
 * Under workerd with local SQLite storage (`durableObjectStorage = (localDisk = …)`, as
 * `workerd.ts` sets up), every SQLite-backed object has its own database file,
 * `state/<uniqueKey>/<64 hex id>.sqlite` (beside `-wal` and `-shm`). workerd opens it when the
 * object starts and closes it when the object is evicted (idle ~10 s with nothing holding it:
 * no open request, response stream or non-hibernatable socket), or hibernates. So the number of
 * distinct `<id>.sqlite` files among `/proc/<pid>/fd` of the `-SessionDO` namespace is the
 * number of resident session objects. Checked by hand before relying on it: sessions without a
 * stream drop out of the count ~10-15 s after their last request, a session holding `GET /mcp`
 * stays, and an alarm that wakes an evicted object brings its file back until it idles again.
 * The bench checks it on every run too: warm-up sessions whose streams were closed must be gone
 * from the count by the end of an idle period of 30 s or more (their objects learn that the
 * client left only at the next keepalive write, up to 15 s later, then idle out).
 */
import fs from 'node:fs'

/** The `/proc/<pid>/fd` targets of process `pid` (a descriptor closed meanwhile is skipped). */
function fdTargets(pid: number): string[] {
  const dir = `/proc/${pid}/fd`
  const targets: string[] = []
  for (const fd of fs.readdirSync(dir)) {
    try {
      targets.push(fs.readlinkSync(`${dir}/${fd}`))
    } catch {
      // Closed between the listing and the read.
    }
  }
  return targets
}

/** What the open descriptors of a workerd are. */
export interface FdCensus {
  /** All open descriptors. */
  readonly total: number
  /** Sockets among them (client connections, listeners). */
  readonly sockets: number
  /** Session objects whose SQLite database is open: the resident ones. */
  readonly residentSessions: number
  /** Other objects (hubs, handles) whose database is open. */
  readonly residentOthers: number
}

const OBJECT_DB = /\/([^/]+)\/[0-9a-f]{64}\.sqlite$/

/** Counts the open descriptors of workerd `pid`, and the objects resident in it. */
export function fdCensus(pid: number): FdCensus {
  const targets = fdTargets(pid)
  let sockets = 0
  let residentSessions = 0
  let residentOthers = 0
  for (const target of targets) {
    if (target.startsWith('socket:')) sockets++
    const namespace = OBJECT_DB.exec(target)?.[1]
    if (namespace === undefined) continue
    if (namespace.endsWith('-SessionDO')) residentSessions++
    else residentOthers++
  }
  return { total: targets.length, sockets, residentSessions, residentOthers }
}

/** The soft limit on open files of process `pid` (`self` for this one); Infinity if unlimited. */
export function fdLimit(pid: number | 'self'): number {
  const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8')
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1]
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft)
}
