/**
 * @module
 * A KV namespace for the bench's workerd, in memory: the service a `kvNamespace` binding talks
 * to (the protocol Miniflare's KV simulator serves: `GET|PUT|DELETE /<key>?urlencoded=true`,
 * `GET /?prefix=&key_count_limit=&cursor=` to list, expiry in `CF-Expiration`, metadata in
 * `CF-KV-Metadata`). Plain JavaScript, embedded as it is in the generated config. Enough for the
 * OAuth authorization server (its grants, clients and tokens); it forgets everything on exit.
 */

/** @type {Map<string, { value: string, expiration?: number, metadata?: string }>} */
const store = new Map()

const now = () => Date.now() / 1000

function live(entry) {
  return entry !== undefined && (entry.expiration === undefined || entry.expiration > now())
}

function list(url) {
  const prefix = url.searchParams.get('prefix') ?? ''
  const limit = Number(url.searchParams.get('key_count_limit') ?? 1000)
  const after = url.searchParams.get('cursor') ?? ''
  const names = [...store.keys()]
    .filter((name) => name.startsWith(prefix) && name > after && live(store.get(name)))
    .sort()
  const page = names.slice(0, limit)
  const keys = page.map((name) => {
    const { expiration, metadata } = store.get(name)
    return { name, expiration, metadata }
  })
  const complete = page.length === names.length
  return Response.json({
    keys,
    list_complete: complete,
    ...(complete ? {} : { cursor: page.at(-1) }),
    cacheStatus: null,
  })
}

export default {
  async fetch(request) {
    const url = new URL(request.url)
    const raw = url.pathname.slice(1)
    if (request.method === 'GET' && raw === '') return list(url)
    const key = url.searchParams.get('urlencoded') === 'true' ? decodeURIComponent(raw) : raw
    switch (request.method) {
      case 'GET': {
        const entry = store.get(key)
        if (!live(entry)) return new Response('Not Found', { status: 404 })
        const headers = new Headers()
        if (entry.expiration !== undefined) headers.set('CF-Expiration', String(entry.expiration))
        if (entry.metadata !== undefined) headers.set('CF-KV-Metadata', entry.metadata)
        return new Response(entry.value, { headers })
      }
      case 'PUT': {
        const ttl = url.searchParams.get('expiration_ttl')
        const at = url.searchParams.get('expiration')
        const expiration =
          ttl !== null ? Math.floor(now()) + Number(ttl) : at !== null ? Number(at) : undefined
        const metadata = request.headers.get('CF-KV-Metadata') ?? undefined
        store.set(key, { value: await request.text(), expiration, metadata })
        return new Response(null)
      }
      case 'DELETE':
        store.delete(key)
        return new Response(null)
      default:
        return new Response('Method Not Allowed', { status: 405 })
    }
  },
}
