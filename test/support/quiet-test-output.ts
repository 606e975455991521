/**
 * @module
 * Drops known-harmless lines from the test run's output, so what remains is worth reading:
 * - what workerd logs when a client stops reading a streamed response, which the tests do on
 *   purpose hundreds of times (closing SSE streams, cancelling calls):
 *   `disconnected: abortRead() has been called`, `disconnected: read end of pipe was aborted`,
 *   `disconnected: reader canceled`, `disconnected: pump canceled` and `ReadableStream received
 *   over RPC disconnected prematurely`, each with its stack line. The Workers pool forwards workerd's
 *   logs to stdout or stderr and already drops its own list of such messages
 *   (`operation canceled`, …); these are missing from it.
 * - Vite's `Sourcemap for … points to missing source files`, for SDK files published with
 *   source maps but without their sources.
 * Everything else still shows.
 */

const BENIGN = [
  'disconnected: abortRead() has been called',
  'disconnected: read end of pipe was aborted',
  'ReadableStream received over RPC disconnected prematurely',
  'disconnected: reader canceled',
  'disconnected: pump canceled',
]
const BENIGN_PATTERNS = [/^Sourcemap for ".*node_modules\/.*" points to missing source files/]

/** Streams already filtered (the config may be loaded more than once per process). */
const filtered = new WeakSet<NodeJS.WriteStream>()

/** Installs the filter on this process's stdout and stderr, once. */
export function quietTestOutput(): void {
  filter(process.stdout)
  filter(process.stderr)
}

function filter(out: NodeJS.WriteStream): void {
  if (filtered.has(out)) return
  filtered.add(out)
  const write = out.write.bind(out) as (chunk: unknown, ...rest: unknown[]) => boolean
  let dropStack = false
  out.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? new TextDecoder().decode(chunk)
          : undefined
    if (text === undefined) return write(chunk, ...rest)
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => {
        if (BENIGN.some((message) => line.includes(message))) {
          dropStack = true
          return false
        }
        if (BENIGN_PATTERNS.some((pattern) => pattern.test(line))) return false
        const isStack = dropStack && line.startsWith('stack: ')
        dropStack = false
        return !isStack
      })
      .join('')
    if (kept === '') {
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
      callback?.()
      return true
    }
    return write(kept, ...rest)
  }) as typeof out.write
}
