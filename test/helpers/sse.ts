/**
 * Reading server-sent events in tests: exact frames, not a parser's forgiving view of them.
 */

/** One SSE event as it was framed. */
export interface SSEEvent {
  event?: string
  id?: string
  data: string
  retry?: number
}

/** Splits SSE text into events; comment lines are returned separately. */
export function parseSSE(text: string): { events: SSEEvent[]; comments: string[] } {
  const events: SSEEvent[] = []
  const comments: string[] = []
  for (const block of text.split('\n\n')) {
    if (block === '') continue
    const event: SSEEvent = { data: '' }
    const data: string[] = []
    let isEvent = false
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        comments.push(line)
        continue
      }
      isEvent = true
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'data') data.push(value)
      else if (field === 'event') event.event = value
      else if (field === 'id') event.id = value
      else if (field === 'retry') event.retry = Number(value)
    }
    if (!isEvent) continue
    event.data = data.join('\n')
    events.push(event)
  }
  return { events, comments }
}

/** The JSON-RPC messages of an SSE body that has ended. */
export async function sseMessages(res: Response): Promise<unknown[]> {
  const { events } = parseSSE(await res.text())
  return events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data))
}

/** Reads an open SSE body until `count` events (or `until` ms) have passed, then cancels it. */
export async function readEvents(
  res: Response,
  count: number,
  until = 5_000,
): Promise<{ events: SSEEvent[]; comments: string[]; raw: string }> {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let raw = ''
  const deadline = Date.now() + until
  try {
    while (Date.now() < deadline) {
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), Math.max(1, deadline - Date.now())),
      )
      const chunk = await Promise.race([reader.read(), timeout])
      if (chunk === 'timeout' || chunk.done) break
      raw += decoder.decode(chunk.value, { stream: true })
      if (parseSSE(raw).events.length >= count) break
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return { ...parseSSE(raw), raw }
}
