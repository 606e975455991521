/**
 * @module
 * Whether a request would get past the plugins' middleware of the MCP endpoints (auth) without
 * being sent there: each middleware runs as it would on `/mcp`, with a `next` that only notes it
 * was reached. What a plugin verifies (a bearer token, a JWT) is so checked by the plugin's own
 * code, never a second copy of it. The home page uses it to show the catalogue only to a request
 * that could list it over MCP.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../src/types'

/**
 * Runs `middleware` in order for `c` and resolves whether every one called `next`. A middleware
 * that refuses (answers itself, or throws an `HTTPException` as Hono's `bearerAuth` does) makes
 * it false; any other error is rethrown. Hono's `compose` is not used: it stores a refusal's
 * response in `c.res`, and its headers (`WWW-Authenticate`) would end up on the caller's own
 * response. What a passing middleware sets on `c` (the principal) stays set.
 *
 * @example
 * ```ts
 * const signedIn = await passesMiddleware(c, [mcpBearerAuth({ tokens }).middleware!])
 * ```
 */
export async function passesMiddleware(
  c: Context<AppEnv>,
  middleware: readonly MiddlewareHandler<AppEnv>[],
): Promise<boolean> {
  let passed = false
  const run = async (index: number): Promise<void> => {
    const handler = middleware[index]
    if (handler === undefined) {
      passed = true
      return
    }
    await handler(c, () => run(index + 1))
  }
  try {
    await run(0)
  } catch (error) {
    if (error instanceof HTTPException) return false
    throw error
  }
  return passed
}
