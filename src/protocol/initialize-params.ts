/**
 * @module
 * Reading a client's `initialize` params, and fixing the revision the session will speak.
 */
import { InitializeRequestSchema } from '@modelcontextprotocol/core'
import type { InitializeRequest } from '@modelcontextprotocol/server'
import type { SessionKind } from '../types'
import { negotiateVersion } from './versions'

/**
 * The `initialize` params with `protocolVersion` replaced by the negotiated revision (so the SDK
 * server, which echoes whatever it supports, answers with one this transport serves), or
 * undefined when the params are malformed.
 */
export function negotiatedInitializeParams(
  kind: SessionKind,
  params: unknown,
): InitializeRequest['params'] | undefined {
  const parsed = InitializeRequestSchema.shape.params.safeParse(params)
  if (!parsed.success) return undefined
  return { ...parsed.data, protocolVersion: negotiateVersion(kind, parsed.data.protocolVersion) }
}
