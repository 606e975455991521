/**
 * @module
 * A live leaderboard shared by every session: `score` adds points, the `leaderboard://scores`
 * resource reads the standings, and sessions subscribed to it hear about every change, whoever
 * made it.
 */
import { z } from 'zod'
import type { McpServerSetup } from '../../define-mcp-server'

/** The leaderboard's URI. */
export const LEADERBOARD_URI = 'leaderboard://scores'

/** Points by player. */
export type Scores = Record<string, number>

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
      description: 'Points by player, highest first. Subscribe to hear about every change.',
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
      description: 'Adds points to a player on the shared leaderboard.',
      inputSchema: scoreInput,
    },
    async ({ player, points }, tool) => {
      // One atomic change where the board lives: concurrent scores are never lost.
      const scores = await tool
        .shared<Scores>(LEADERBOARD_URI)
        .update({ op: 'increment', path: [player], by: points })
      const total = scores !== undefined && Object.hasOwn(scores, player) ? scores[player] : 0
      return { content: [{ type: 'text', text: `${player} now has ${total} points.` }] }
    },
  )
}
