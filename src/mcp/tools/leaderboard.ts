/**
 * @module
 * A live leaderboard shared by every session: `score` adds points, the `leaderboard://scores`
 * resource reads the standings, and sessions subscribed to it hear about every change, whoever
 * made it. It keeps the {@link MAX_PLAYERS} highest scores, so anyone adding players can't make
 * it grow without end (and too large to read).
 */
import { z } from 'zod'
import type { McpServerSetup } from '../../define-mcp-server'

/** The leaderboard's URI. */
export const LEADERBOARD_URI = 'leaderboard://scores'

/** Points by player. */
export type Scores = Record<string, number>

/** How many players the board keeps: the highest scores. */
export const MAX_PLAYERS = 100

const scoreInput = z.object({
  player: z.string().min(1).max(100).describe('Who scored'),
  points: z.number().int().min(-1_000).max(1_000).describe('How many points'),
})

/** Registers the leaderboard resource and the `score` tool on `server`. */
export function registerLeaderboard(server: McpServerSetup): void {
  server.registerResource(
    'leaderboard',
    LEADERBOARD_URI,
    {
      title: 'Leaderboard',
      description: `Points by player, highest first (the top ${MAX_PLAYERS}). Subscribe to hear about every change.`,
      mimeType: 'application/json',
    },
    async (uri, context) => {
      const scores = (await context.shared<Scores>(LEADERBOARD_URI).read()) ?? {}
      const ranked = Object.entries(scores)
        .sort(([, a], [, b]) => b - a)
        .map(([player, points]) => ({ player, points }))
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(ranked) }],
      }
    },
  )

  server.registerTool(
    'score',
    {
      title: 'Score',
      description: `Adds points to a player on the shared leaderboard (it keeps the top ${MAX_PLAYERS}).`,
      inputSchema: scoreInput,
    },
    async ({ player, points }, tool) => {
      // One atomic change where the board lives: concurrent scores are never lost, and the
      // board is cut back to its top players in the same step.
      const scores = await tool
        .shared<Scores>(LEADERBOARD_URI)
        .update(
          { op: 'increment', path: [player], by: points },
          { op: 'keepHighest', path: [], count: MAX_PLAYERS },
        )
      if (scores === undefined || !Object.hasOwn(scores, player)) {
        const text = `${player} did not make the top ${MAX_PLAYERS}: the leaderboard keeps only the ${MAX_PLAYERS} highest scores.`
        return { content: [{ type: 'text', text }] }
      }
      return { content: [{ type: 'text', text: `${player} now has ${scores[player]} points.` }] }
    },
  )
}
