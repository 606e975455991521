/**
 * `passesMiddleware` runs middleware as the MCP endpoints would and tells whether the request got
 * through: true only when every one called `next`; a refusal (an answer, or an HTTPException as
 * Hono's bearerAuth throws) is false and leaves nothing of itself on the caller's response.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { passesMiddleware } from '../../routes/passes-middleware'
import { mcpBearerAuth } from '../../src/plugins/bearer-auth'
import type { AppEnv } from '../../src/types'

type Handler = MiddlewareHandler<AppEnv>

/** A `GET /` whose handler answers with what `passesMiddleware` said, and the principal. */
async function probe(middleware: Handler[], headers: Record<string, string> = {}) {
  const app = new Hono<AppEnv>().get('/', async (c) => {
    c.set('principal', { name: 'anonymous' })
    const passed = await passesMiddleware(c, middleware)
    return c.json({ passed, principal: c.var.principal.name })
  })
  const res = await app.request('/', { headers }, {})
  return { res, body: (await res.json()) as { passed: boolean; principal: string } }
}

const calls = (log: string[], name: string): Handler =>
  async function calls(_c, next) {
    log.push(`${name} before`)
    await next()
    log.push(`${name} after`)
  }

describe('passesMiddleware', () => {
  it('none: passes', async () => {
    expect((await probe([])).body.passed).toBe(true)
  })

  it('every one calls next: passes, each run once in order', async () => {
    const log: string[] = []
    const { body } = await probe([calls(log, 'a'), calls(log, 'b')])
    expect(body.passed).toBe(true)
    expect(log).toEqual(['a before', 'b before', 'b after', 'a after'])
  })

  it('one answers itself: fails, the rest never run, its response is not the caller’s', async () => {
    const log: string[] = []
    const refuse: Handler = async (c) =>
      c.json({ refused: true }, 401, { 'www-authenticate': 'Bearer' })
    const { res, body } = await probe([calls(log, 'a'), refuse, calls(log, 'c')])
    expect(body.passed).toBe(false)
    expect(log).toEqual(['a before', 'a after'])
    expect(res.status).toBe(200)
    expect(res.headers.get('www-authenticate')).toBeNull()
  })

  it('one throws an HTTPException: fails, and its response’s headers stay off the caller’s', async () => {
    const refuse: Handler = async () => {
      throw new HTTPException(401, {
        res: new Response('no', { status: 401, headers: { 'www-authenticate': 'Bearer' } }),
      })
    }
    const { res, body } = await probe([refuse])
    expect(body.passed).toBe(false)
    expect(res.status).toBe(200)
    expect(res.headers.get('www-authenticate')).toBeNull()
  })

  it('one throws anything else: the error goes on to the caller', async () => {
    const broken: Handler = async () => {
      throw new Error('jwks unreachable')
    }
    const app = new Hono<AppEnv>()
      .get('/', async (c) => c.json({ passed: await passesMiddleware(c, [broken]) }))
      .onError((error, c) => c.text(error.message, 500))
    const res = await app.request('/')
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('jwks unreachable')
  })

  it('one returns without calling next or answering: fails', async () => {
    const silent: Handler = async () => undefined
    expect((await probe([silent])).body.passed).toBe(false)
  })

  describe('with mcpBearerAuth’s own middleware', () => {
    const auth = mcpBearerAuth({ tokens: 'alice:tokA' }).middleware!

    it.each([
      ['no Authorization', {}],
      ['a wrong token', { authorization: 'Bearer tokB' }],
      ['a malformed header', { authorization: 'Bearer a b' }],
    ])('%s: fails, the principal stays anonymous', async (_what, headers) => {
      expect((await probe([auth], headers)).body).toEqual({ passed: false, principal: 'anonymous' })
    })

    it('a valid token: passes, and the principal is the token’s name', async () => {
      const { body } = await probe([auth], { authorization: 'Bearer tokA' })
      expect(body).toEqual({ passed: true, principal: 'alice' })
    })
  })
})
