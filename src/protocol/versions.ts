/**
 * @module
 * Protocol revisions this server speaks, per transport, and version negotiation.
 */
import type { SessionKind } from '../types'

/** The newest revision we speak; the answer to an `initialize` asking for one we don't. */
export const LATEST_PROTOCOL_VERSION = '2025-11-25'

/** Revisions served over Streamable HTTP (`/mcp`) with sessions, newest first. */
export const STREAMABLE_HTTP_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const

/**
 * Stateless revisions served on `/mcp` beside the sessionful ones (by SDK v2; its
 * `server/discover` lists the same), newest first.
 */
export const MODERN_PROTOCOL_VERSIONS = ['2026-07-28'] as const

/** Whether `version` names a stateless (2026-07-28 or later) revision this server serves. */
export function isModernVersion(version: string | undefined): boolean {
  return (MODERN_PROTOCOL_VERSIONS as readonly (string | undefined)[]).includes(version)
}

/**
 * Revisions served over HTTP+SSE (`/sse`), newest first. The transport is 2024-11-05's, but
 * clients that speak it (the SDK's `SSEClientTransport` among them) negotiate any revision.
 */
export const SSE_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const

/**
 * Spec (2025-06-18, Streamable HTTP): with no `MCP-Protocol-Version` header and nothing else to go
 * on, a server SHOULD assume 2025-03-26.
 */
export const DEFAULT_ASSUMED_VERSION = '2025-03-26'

/** The revisions a transport accepts. */
export function versionsFor(kind: SessionKind): readonly string[] {
  return kind === 'sse' ? SSE_VERSIONS : STREAMABLE_HTTP_VERSIONS
}

/**
 * Picks the revision to answer an `initialize` with. Spec (lifecycle): echo the requested revision
 * if supported, otherwise answer with another supported one (SHOULD: the latest).
 */
export function negotiateVersion(kind: SessionKind, requested: unknown): string {
  return typeof requested === 'string' && versionsFor(kind).includes(requested)
    ? requested
    : LATEST_PROTOCOL_VERSION
}

/**
 * Whether JSON-RPC batches are allowed at `version`. 2025-03-26 servers MUST accept batches;
 * 2025-06-18 removed them, so later sessions take exactly one message per POST.
 */
export function allowsBatches(version: string): boolean {
  return version <= '2025-03-26'
}
