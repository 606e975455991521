/**
 * @module
 * `remember` and `recall`: notes kept in the session's durable storage, so they outlive eviction,
 * restarts and deploys for as long as the session lives.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import type { SessionStorage } from '../../define-mcp-server'

const NOTE_PREFIX = 'note:'

// Whole object schemas, built once per isolate: given a bare shape, the SDK would build a new
// object schema from it in every session.
const rememberInput = z.object({
  key: z.string().min(1).max(200).describe('Name of the note'),
  note: z
    .string()
    .max(64 * 1024)
    .describe('What to remember'),
})
const recallInput = z.object({
  key: z.string().min(1).optional().describe('Name of the note; omit for all'),
})

/** Registers `remember` and `recall` on `server`, backed by `storage`. */
export function registerNotes(server: McpServer, storage: SessionStorage): void {
  server.registerTool(
    'remember',
    {
      title: 'Remember',
      description: 'Stores a note under a key for the rest of this session.',
      inputSchema: rememberInput,
    },
    ({ key, note }) => {
      storage.put(NOTE_PREFIX + key, note)
      return { content: [{ type: 'text', text: `Remembered "${key}".` }] }
    },
  )

  server.registerTool(
    'recall',
    {
      title: 'Recall',
      description: 'Returns the note stored under a key, or every note of this session.',
      inputSchema: recallInput,
    },
    ({ key }) => {
      if (key !== undefined) {
        const note = storage.get<string>(NOTE_PREFIX + key)
        return note === undefined
          ? { content: [{ type: 'text', text: `No note named "${key}".` }], isError: true }
          : { content: [{ type: 'text', text: note }] }
      }
      const notes = [...storage.list<string>(NOTE_PREFIX)].map(
        ([name, note]) => `${name.slice(NOTE_PREFIX.length)}: ${note}`,
      )
      return {
        content: [{ type: 'text', text: notes.length > 0 ? notes.join('\n') : 'No notes yet.' }],
      }
    },
  )
}
