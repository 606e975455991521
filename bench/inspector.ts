/**
 * @module
 * A tiny Chrome DevTools protocol client for a workerd started with an inspector port
 * (`WorkerSpec.inspectorPort`): CPU and allocation profiles (`profile.ts`), and the JavaScript
 * heap of the isolate (`connected-idle.ts`).
 */

/** A connected inspector session. */
export interface Inspector {
  /** Sends a protocol command and resolves with its result. */
  send<T>(method: string, params?: object): Promise<T>
  /** The isolate's JavaScript heap in use after a full garbage collection, in KiB. */
  heapUsedKiB(): Promise<number>
  close(): void
}

/**
 * Connects to the first target of the inspector on loopback `port`. workerd runs some commands
 * (a garbage collection) only when its isolate has work: `poke` gives it some (a request).
 */
export async function inspector(
  port: number,
  poke: () => Promise<unknown> = async () => undefined,
): Promise<Inspector> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
    webSocketDebuggerUrl: string
  }>
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  const pending = new Map<number, (result: unknown) => void>()
  socket.addEventListener('message', ({ data }) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) pending.get(message.id)?.(message.result)
  })
  let next = 1
  const send = <T>(method: string, params: object = {}): Promise<T> => {
    const id = next++
    return new Promise((resolve) => {
      pending.set(id, (result) => {
        pending.delete(id)
        resolve(result as T)
      })
      socket.send(JSON.stringify({ id, method, params }))
    })
  }
  return {
    send,
    async heapUsedKiB() {
      let collected = false
      const collecting = send('HeapProfiler.collectGarbage').then(() => {
        collected = true
      })
      while (!collected) {
        await poke().catch(() => undefined)
        await Promise.race([collecting, new Promise((resolve) => setTimeout(resolve, 50))])
      }
      const { usedSize } = await send<{ usedSize: number }>('Runtime.getHeapUsage')
      return usedSize / 1024
    },
    close: () => socket.close(),
  }
}
