/**
 * @module
 * `remember` and `recall`: notes kept in the session's durable storage, so they outlive eviction,
 * restarts and deploys for as long as the session lives.
 */
import { z } from 'zod'
import type { McpServerSetup } from '../../define-mcp-server'

const NOTE_PREFIX = 'note:'

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

/** Registers `remember` and `recall` on `server`, backed by the session's storage. */
export function registerNotes(server: McpServerSetup): void {
  server.registerTool(
    'remember',
    {
      title: 'Remember',
      description: 'Stores a note under a key for the rest of this session.',
      inputSchema: rememberInput,
    },
    ({ key, note }, tool) => {
      tool.storage.put(NOTE_PREFIX + key, note)
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
    ({ key }, tool) => {
      const storage = tool.storage
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
