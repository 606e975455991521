/**
 * @module
 * How an app describes its MCP server: its identity, and a `setup` that registers its tools,
 * resources and prompts. One definition serves both protocol eras: the framework registers each
 * entry into the SDK v2 server of a session (in the session's Durable Object) and into the one
 * of each stateless 2026-07-28 request (in the Worker), and every handler gets the same context
 * in both.
 */
import type {
  CallToolResult,
  GetPromptResult,
  Icon,
  ListResourcesResult,
  ReadResourceResult,
  ResourceMetadata,
  ServerCapabilities,
  ToolAnnotations,
} from '@modelcontextprotocol/server'
import type { z } from 'zod'
import type { SharedChange } from './shared-changes'
import type { RequestContext, ToolContext } from './tool-context'
import type { Principal } from './types'

export { completable } from '@modelcontextprotocol/server'
export type { SharedChange, SharedPath } from './shared-changes'
export type { ResourceMetadata }

/** Which entries a storage `list` returns, besides its prefix: a page of them. */
export interface StorageListOptions {
  /** Only keys after this one (a page goes on where the previous one ended). */
  readonly startAfter?: string
  /** At most this many entries. */
  readonly limit?: number
}

/**
 * A session's own durable key-value storage. Values are anything structured-clone can copy. It
 * lives in the session's Durable Object, survives eviction and restarts, and is deleted with the
 * session.
 */
export interface SessionStorage {
  get<T = unknown>(key: string): T | undefined
  put(key: string, value: unknown): void
  delete(key: string): boolean
  /**
   * Entries whose key starts with `prefix` (all entries when omitted), in key order; `options`
   * makes it a page.
   */
  list<T = unknown>(prefix?: string, options?: StorageListOptions): Map<string, T>
}

/**
 * A resource shared by every session and request: its value lives in its own object (one per
 * URI), and a write tells every session subscribed to it (`notifications/resources/updated`).
 */
export interface SharedResource<T = unknown> {
  readonly uri: string
  /** The current value; undefined before the first write. */
  read(): Promise<T | undefined>
  /** Stores a new value and notifies the subscribers, in this session and every other. */
  write(value: T): Promise<void>
  /**
   * Applies `changes` where the value lives, atomically (one call to its hub: concurrent updates
   * are never lost), notifies the subscribers, and returns the new value. Use this, not
   * `read` then `write`, whenever the new value depends on the old.
   *
   * @example
   * ```ts
   * const scores = await board.update({ op: 'increment', path: [player], by: points })
   * ```
   */
  update(...changes: SharedChange[]): Promise<T | undefined>
}

/** What the framework knows of the session a sessionful (legacy-era) request belongs to. */
export interface SessionContext<Env = unknown> {
  /** The `Mcp-Session-Id` (or legacy `sessionId`) of this session. */
  readonly sessionId: string
  /** Who created the session. */
  readonly principal: Principal
  /** The Worker's bindings and vars. */
  readonly env: Env
  /** The session's own durable storage. */
  readonly storage: SessionStorage
  /** The shared resource at `uri` (needs the `RESOURCE_HUB` binding). */
  shared<T = unknown>(uri: string): SharedResource<T>
}

/** A tool's or prompt's input: a zod object schema, or a plain record of zod fields. */
export type InputSchema = z.ZodType<Record<string, unknown>> | z.ZodRawShape

/** The zod schema an {@link InputSchema} stands for. */
export type SchemaOf<S extends InputSchema> = S extends z.ZodType
  ? S
  : z.ZodObject<Extract<S, z.ZodRawShape>>

/** The arguments a handler receives for the input schema `S`, as parsed by zod. */
export type ArgsOf<S extends InputSchema> = z.output<SchemaOf<S>>

/** What a tool declares about itself (the SDK's `registerTool` config). */
export interface ToolConfig<S extends InputSchema> {
  readonly title?: string
  readonly description?: string
  /** Its arguments; omitted: none. Published by `tools/list` and enforced on every call. */
  readonly inputSchema?: S
  /** The shape of its `structuredContent`, when it returns some. */
  readonly outputSchema?: InputSchema
  readonly annotations?: ToolAnnotations
  readonly icons?: Icon[]
  readonly _meta?: Record<string, unknown>
}

/** A tool's handler: its parsed arguments and this call's context, in either era. */
export type ToolHandler<S extends InputSchema, Env> = (
  args: ArgsOf<S>,
  tool: ToolContext<Env>,
) => CallToolResult | Promise<CallToolResult>

/** What a prompt declares about itself. `argsSchema` fields are the prompt's (string) arguments. */
export interface PromptConfig<A extends z.ZodRawShape> {
  readonly title?: string
  readonly description?: string
  readonly argsSchema?: A
}

/** A prompt's handler. */
export type PromptHandler<A extends z.ZodRawShape, Env> = (
  args: z.output<z.ZodObject<A>>,
  context: RequestContext<Env>,
) => GetPromptResult | Promise<GetPromptResult>

/** Reads a resource with a fixed URI. */
export type ResourceReader<Env> = (
  uri: URL,
  context: RequestContext<Env>,
) => ReadResourceResult | Promise<ReadResourceResult>

/** Reads a resource of a template, with the template's variables taken from its URI. */
export type TemplateReader<Env> = (
  uri: URL,
  variables: Record<string, string | string[]>,
  context: RequestContext<Env>,
) => ReadResourceResult | Promise<ReadResourceResult>

/** A resource template (RFC 6570 URI template), made with {@link resourceTemplate}. */
export interface ResourceTemplateSpec {
  readonly uriTemplate: string
  /** Lists the resources the template currently matches (`resources/list`). */
  readonly list?: () => ListResourcesResult | Promise<ListResourcesResult>
  /** Completes a variable of the template (`completion/complete`), by variable name. */
  readonly complete?: Readonly<Record<string, (value: string) => string[] | Promise<string[]>>>
}

/**
 * Describes a resource template for {@link McpServerSetup.registerResource}.
 *
 * @example
 * ```ts
 * server.registerResource('file', resourceTemplate('file:///{path}'), {}, (uri, { path }) => …)
 * ```
 */
export function resourceTemplate(
  uriTemplate: string,
  callbacks: Omit<ResourceTemplateSpec, 'uriTemplate'> = {},
): ResourceTemplateSpec {
  return Object.freeze({ uriTemplate, ...callbacks })
}

/**
 * What `setup` registers into: the SDK's `registerTool`, `registerResource` and `registerPrompt`,
 * with handlers that get the framework's context as their second argument.
 */
export interface McpServerSetup<Env = unknown> {
  /** Registers a tool. */
  registerTool<S extends InputSchema = z.ZodObject<Record<never, never>>>(
    name: string,
    config: ToolConfig<S>,
    handler: ToolHandler<S, Env>,
  ): void
  /** Registers a resource with a fixed URI. */
  registerResource(
    name: string,
    uri: string,
    metadata: ResourceMetadata,
    read: ResourceReader<Env>,
  ): void
  /** Registers a resource template. */
  registerResource(
    name: string,
    template: ResourceTemplateSpec,
    metadata: ResourceMetadata,
    read: TemplateReader<Env>,
  ): void
  /** Registers a prompt. */
  registerPrompt<A extends z.ZodRawShape = Record<never, never>>(
    name: string,
    config: PromptConfig<A>,
    handler: PromptHandler<A, Env>,
  ): void
}

/** The app's MCP server: its identity and a function that registers what it offers. */
export interface McpServerDefinition<Env = unknown> {
  /** `serverInfo.name`, also shown by `/health`. */
  readonly name: string
  /** `serverInfo.version`, also shown by `/health`. */
  readonly version: string
  /** Optional `instructions`, returned by `initialize` and `server/discover`. */
  readonly instructions?: string
  /** Capabilities beyond those the SDK derives from what `setup` registers. */
  readonly capabilities?: ServerCapabilities
  /**
   * Registers everything the server offers. Runs once per isolate: keep per-call state in the
   * handlers' context (`tool.storage`, `tool.shared(uri)`), never in closures.
   */
  setup(server: McpServerSetup<Env>): void
}

/**
 * Declares an MCP server. Checks the definition once, when the module loads.
 *
 * @example
 * ```ts
 * export const server = defineMcpServer({
 *   name: 'my-server',
 *   version: '1.0.0',
 *   setup(server) {
 *     server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
 *       content: [{ type: 'text', text }],
 *     }))
 *   },
 * })
 * ```
 */
export function defineMcpServer<Env = unknown>(
  definition: McpServerDefinition<Env>,
): McpServerDefinition<Env> {
  if (!definition.name) throw new Error('defineMcpServer: `name` is required')
  if (!definition.version) throw new Error('defineMcpServer: `version` is required')
  if (typeof definition.setup !== 'function') {
    throw new Error('defineMcpServer: `setup(server)` is required')
  }
  return Object.freeze({ ...definition })
}
