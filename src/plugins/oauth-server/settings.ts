/**
 * @module
 * The authorization server's settings, read from the Worker's vars and secrets with zod once per
 * `env` object. `OAUTH_IDENTITY` picks who signs users in; unset, the plugin is off. A var that
 * is set but invalid throws with its name, on the first request that needs it.
 */
import { z } from 'zod'

const DAY = 24 * 60 * 60

/** At least 32 characters: the library's minimum for the key that signs remembered approvals. */
const secret = z.string().min(32, 'must be 32 characters or more')

const common = {
  /**
   * Signs remembered approvals and ties a signed-in user to their consent page. Required with
   * `github` and `oidc` (a Worker secret); with `dev`, unset means a random key per isolate.
   */
  OAUTH_COOKIE_SECRET: secret.optional(),
  /** How long an approval is remembered, per client and user, in seconds; 0: ask every time. */
  OAUTH_CONSENT_TTL_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(400 * DAY)
    .default(30 * DAY),
  /**
   * The server's canonical origin (`https://mcp.example.com`): the issuer and the resource every
   * token is bound to. Unset: the origin each request arrives at (its host already passed the
   * Host guard), so a server reached at two hosts issues tokens for each separately.
   */
  OAUTH_ISSUER: z
    .url()
    .refine((value) => new URL(value).origin === value, 'must be an origin, without a path')
    .optional(),
  /**
   * How long a checked access token is trusted in an isolate without a storage read, in
   * milliseconds; 0 reads storage on every request. Revocations through this server take
   * effect at once in the isolate that handles them, and after at most this long elsewhere.
   */
  OAUTH_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
}

const SettingsSchema = z.discriminatedUnion('OAUTH_IDENTITY', [
  // Each provider's own vars first, so a missing one is what the error names.
  z.object({
    OAUTH_IDENTITY: z.literal('github'),
    GITHUB_CLIENT_ID: z.string().min(1),
    GITHUB_CLIENT_SECRET: z.string().min(1),
    ...common,
    OAUTH_COOKIE_SECRET: secret,
  }),
  z.object({
    OAUTH_IDENTITY: z.literal('oidc'),
    OIDC_ISSUER: z.url(),
    OIDC_CLIENT_ID: z.string().min(1),
    OIDC_CLIENT_SECRET: z.string().min(1),
    /** Scopes asked of the identity provider. */
    OIDC_SCOPES: z.string().default('openid profile email'),
    ...common,
    OAUTH_COOKIE_SECRET: secret,
  }),
  z.object({ OAUTH_IDENTITY: z.literal('dev'), ...common }),
])

/** The names of the vars read, for documentation and tests. */
export const OAUTH_SERVER_VARS = [
  'OAUTH_IDENTITY',
  'GITHUB_CLIENT_ID',
  'GITHUB_CLIENT_SECRET',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_SCOPES',
  ...Object.keys(common),
] as const

type Parsed = z.infer<typeof SettingsSchema>

/** Who signs users in, with that provider's own settings. */
export type IdentitySettings =
  | { readonly kind: 'github'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly kind: 'oidc'
      readonly issuer: string
      readonly clientId: string
      readonly clientSecret: string
      readonly scopes: string
    }
  | { readonly kind: 'dev' }

/** The plugin's settings for one `env`. */
export interface OAuthServerSettings {
  readonly identity: IdentitySettings
  readonly cookieSecret: string
  /** Seconds; 0 when approvals are not remembered. */
  readonly consentTtlSeconds: number
  readonly issuer: string | undefined
  readonly tokenCacheMs: number
}

/** Settings already read, per `env` object (`null`: the plugin is off there). */
const read = new WeakMap<object, OAuthServerSettings | null>()

/** A random key for the local sign-in when none is set, one per isolate. */
let devSecret: string | undefined

/** Reads the settings from `env`; `null` when `OAUTH_IDENTITY` is unset (the plugin is off). */
export function readOAuthServerSettings(env: unknown): OAuthServerSettings | null {
  const source = typeof env === 'object' && env !== null ? env : {}
  const cached = read.get(source)
  if (cached !== undefined) return cached
  const settings = parseSettings(source)
  read.set(source, settings)
  return settings
}

function parseSettings(source: object): OAuthServerSettings | null {
  const vars = Object.fromEntries(
    OAUTH_SERVER_VARS.map((name) => [name, Reflect.get(source, name)]),
  )
  if (vars.OAUTH_IDENTITY === undefined || vars.OAUTH_IDENTITY === '') return null
  // Static tokens would refuse every token this server issues (mcpBearerAuth runs first).
  if (Reflect.get(source, 'AUTH_TOKENS')) {
    throw new Error('Invalid OAUTH_IDENTITY: set AUTH_TOKENS or OAUTH_IDENTITY, not both')
  }
  const parsed = SettingsSchema.safeParse(vars)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const name = issue?.path.join('.') || 'OAUTH_IDENTITY'
    const message =
      name === 'OAUTH_IDENTITY' ? 'must be github, oidc or dev' : (issue?.message ?? 'invalid')
    throw new Error(`Invalid ${name}: ${message}`)
  }
  return toSettings(parsed.data)
}

function toSettings(vars: Parsed): OAuthServerSettings {
  const base = {
    consentTtlSeconds: vars.OAUTH_CONSENT_TTL_S,
    issuer: vars.OAUTH_ISSUER,
    tokenCacheMs: vars.OAUTH_TOKEN_CACHE_MS,
  }
  switch (vars.OAUTH_IDENTITY) {
    case 'github':
      return {
        ...base,
        cookieSecret: vars.OAUTH_COOKIE_SECRET,
        identity: {
          kind: 'github',
          clientId: vars.GITHUB_CLIENT_ID,
          clientSecret: vars.GITHUB_CLIENT_SECRET,
        },
      }
    case 'oidc':
      return {
        ...base,
        cookieSecret: vars.OAUTH_COOKIE_SECRET,
        identity: {
          kind: 'oidc',
          issuer: vars.OIDC_ISSUER,
          clientId: vars.OIDC_CLIENT_ID,
          clientSecret: vars.OIDC_CLIENT_SECRET,
          scopes: vars.OIDC_SCOPES,
        },
      }
    case 'dev':
      devSecret ??= `${crypto.randomUUID()}${crypto.randomUUID()}`
      return {
        ...base,
        cookieSecret: vars.OAUTH_COOKIE_SECRET ?? devSecret,
        identity: { kind: 'dev' },
      }
  }
}
