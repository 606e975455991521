/**
 * @module
 * Settings a session object reads from the Worker's vars, checked with zod once per object start.
 */
import { z } from 'zod'

/** Default interval between SSE keepalive comments (checklist A.8: about every 15 s). */
export const DEFAULT_KEEPALIVE_MS = 15_000

const SessionConfigSchema = z.object({
  /** Milliseconds between `: keepalive` comments on every open SSE stream. */
  SSE_KEEPALIVE_MS: z.coerce.number().int().min(10).max(600_000).default(DEFAULT_KEEPALIVE_MS),
})

/** The settings of a session object. */
export interface SessionConfig {
  readonly keepaliveMs: number
}

/**
 * Reads the session settings from `env`. A var that is set but invalid is a deployment mistake and
 * throws with the offending key, rather than silently falling back.
 */
export function readSessionConfig(env: unknown): SessionConfig {
  const vars = typeof env === 'object' && env !== null ? env : {}
  const parsed = SessionConfigSchema.safeParse({
    SSE_KEEPALIVE_MS: Reflect.get(vars, 'SSE_KEEPALIVE_MS'),
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`Invalid ${issue?.path.join('.')}: ${issue?.message}`)
  }
  return { keepaliveMs: parsed.data.SSE_KEEPALIVE_MS }
}
