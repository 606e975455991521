/**
 * The same Worker without the `global_fetch_strictly_public` compatibility flag (its own
 * vitest project): the library won't fetch client metadata documents without it (their SSRF
 * protection), so the metadata doesn't offer them, and clients fall back to DCR.
 */
import { describe, expect, it } from 'vitest'
import { fetchApp } from '../helpers/requests'

describe('without global_fetch_strictly_public', () => {
  it('the metadata says client_id_metadata_document_supported: false, DCR stays', async () => {
    const res = await fetchApp('/.well-known/oauth-authorization-server')
    expect(await res.json()).toMatchObject({
      client_id_metadata_document_supported: false,
      registration_endpoint: 'http://127.0.0.1:8787/oauth/register',
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    })
  })
})
