/**
 * @module
 * The example's resources and prompts, with the exact URIs, names and texts of its contract
 * (`README.md` beside this file).
 */
import { z } from 'zod'
import { completable, type McpServerSetup, resourceTemplate } from '../../src/define-mcp-server'
import { PNG_BASE64 } from './media'

/** The subscribable resource; changes to it reach every subscribed session. */
export const WATCHED_URI = 'test://watched-resource'

/** Registers every resource and resource template of the example. */
export function registerEverythingResources(server: McpServerSetup): void {
  server.registerResource(
    'Static Text Resource',
    'test://static-text',
    { description: 'A static text resource', mimeType: 'text/plain' },
    (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'text/plain',
          text: 'This is the content of the static text resource.',
        },
      ],
    }),
  )
  server.registerResource(
    'Static Binary Resource',
    'test://static-binary',
    { description: 'A static binary resource (a PNG image)', mimeType: 'image/png' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_BASE64 }] }),
  )
  server.registerResource(
    'Resource Template',
    resourceTemplate('test://template/{id}/data'),
    { description: 'A resource template with an id parameter', mimeType: 'application/json' },
    (uri, { id }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    }),
  )
  server.registerResource(
    'Watched Resource',
    WATCHED_URI,
    {
      description: 'A resource you can subscribe to; changes are notified',
      mimeType: 'text/plain',
    },
    async (uri, context) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'text/plain',
          text: (await context.shared<string>(WATCHED_URI).read()) ?? 'Watched resource content',
        },
      ],
    }),
  )
}

/** Registers every prompt of the example. */
export function registerEverythingPrompts(server: McpServerSetup): void {
  server.registerPrompt(
    'test_simple_prompt',
    { description: 'A simple prompt without arguments' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } },
      ],
    }),
  )
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with two required arguments',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ['paris', 'park', 'party'].filter((option) => option.startsWith(value)),
        ),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({
      messages: [
        {
          role: 'user',
          content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  )
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      description: 'A prompt that embeds a resource',
      argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') },
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: {
              uri: resourceUri,
              mimeType: 'text/plain',
              text: 'Embedded resource content for testing.',
            },
          },
        },
        {
          role: 'user',
          content: { type: 'text', text: 'Please process the embedded resource above.' },
        },
      ],
    }),
  )
  server.registerPrompt(
    'test_prompt_with_image',
    { description: 'A prompt with an image' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: PNG_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  )
}
