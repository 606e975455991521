/**
 * @module
 * How an app describes its MCP server to the framework, and what the server gets to work with.
 * The framework builds one `McpServer` per session (inside that session's Durable Object) and
 * hands it to the app's `setup` together with the session's context.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js'
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker-provider.js'
import type { ToolContext, ToolExtra } from './tool-context'
import type { Principal } from './types'

/**
 * A session's own durable key-value storage. Values are anything structured-clone can copy. It
 * lives in the session's Durable Object, survives eviction and restarts, and is deleted with the
 * session.
 */
export interface SessionStorage {
  get<T = unknown>(key: string): T | undefined
  put(key: string, value: unknown): void
  delete(key: string): boolean
  /** Entries whose key starts with `prefix` (all entries when omitted), in key order. */
  list<T = unknown>(prefix?: string): Map<string, T>
}

/**
 * A resource shared by every session: its value lives in its own object (one per URI), and a
 * write tells every session subscribed to it (`notifications/resources/updated`).
 */
export interface SharedResource<T = unknown> {
  readonly uri: string
  /** The current value; undefined before the first write. */
  read(): Promise<T | undefined>
  /** Stores a new value and notifies the subscribers, in this session and every other. */
  write(value: T): Promise<void>
}

/** What the app's server sees of the session it serves. */
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
  /**
   * The context of one tool call: this session's context plus progress, logging, elicitation,
   * sampling and roots helpers for the call whose `extra` the SDK passed to the handler.
   *
   * @example
   * ```ts
   * server.registerTool('work', { inputSchema: {} }, async (_args, extra) => {
   *   const tool = context.tool(extra)
   *   await tool.progress(1, 2)
   *   return { content: [{ type: 'text', text: 'done' }] }
   * })
   * ```
   */
  tool(extra: ToolExtra): ToolContext<Env>
}

/** The app's MCP server: its identity and a function that registers its tools, prompts and resources. */
export interface McpServerDefinition<Env = unknown> {
  /** `serverInfo.name`, also shown by `/health`. */
  readonly name: string
  /** `serverInfo.version`, also shown by `/health`. */
  readonly version: string
  /** Optional `instructions` returned from `initialize`. */
  readonly instructions?: string
  /** Capabilities beyond those the SDK derives from what `setup` registers. */
  readonly capabilities?: ServerCapabilities
  /** Registers everything the server offers. Called once each time a session's object starts. */
  setup(server: McpServer, context: SessionContext<Env>): void
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
 *     server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
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
    throw new Error('defineMcpServer: `setup(server, context)` is required')
  }
  return Object.freeze({ ...definition })
}

/**
 * Builds a fresh `McpServer` for one session. JSON Schema validation uses the Workers-safe
 * validator: the SDK's default (Ajv) compiles schemas with `new Function`, which Workers forbid.
 */
export function buildMcpServer<Env>(
  definition: McpServerDefinition<Env>,
  context: SessionContext<Env>,
): McpServer {
  const server = new McpServer(
    { name: definition.name, version: definition.version },
    {
      capabilities: definition.capabilities,
      instructions: definition.instructions,
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  )
  definition.setup(server, context)
  return server
}
